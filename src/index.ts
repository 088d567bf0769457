/**
 * mcusim: the library's public API.
 */
export { assemble, formatListing, formatDiagnostic } from './asm/assembler.js';
export type { AsmOptions, AsmResult, AsmDiagnostic, AsmSection, AsmSymbol, ListingLine } from './asm/assembler.js';
export { encodeInstruction } from './asm/instr.js';
export { disassemble, formatInstruction } from './disasm/disasm.js';
export type { DisasmRecord, DisasmOptions } from './disasm/disasm.js';
export { createMachine, Machine, DEFAULT_REGIONS } from './machine.js';
export type { MachineOptions, RunResult, StopReason, FaultInfo, LoadableImage } from './machine.js';
export { decode, ENTRY_LIST } from './isa/table.js';
export type { Decoded, Entry } from './isa/table.js';
export type { IsaEntry, Fields, TimingClass, Arch } from './isa/types.js';
export { CpuState } from './cpu/state.js';
export { CpuFault, Trap } from './cpu/exceptions.js';
export { cortexM4, cortexM7, modelOf, untimed } from './timing/model.js';
export { cortexM4Model } from './timing/m4.js';
export { cortexM7Model } from './timing/m7.js';
export type { PipelineModel } from './timing/model.js';
export { parseElf, isElf, checkFits, ElfError } from './load/elf.js';
export type { ElfImage, ElfSegment, ElfSymbol } from './load/elf.js';
export { BOARDS, boardNames, getBoard } from './board/boards.js';
export { validateBoard, parseBoard, flashWaitStates } from './board/schema.js';
export type { Board, BoardRegion } from './board/schema.js';
export { Semihosting, runWithSemihosting, formatRefusals } from './semihost/semihost.js';
export type { SemihostHost, SemihostOptions, SemihostRun } from './semihost/semihost.js';
export type { Device } from './mem/device.js';
export { UnmodelledDevice } from './mem/device.js';
export { ExceptionModel, exceptionName, CFSR, HFSR, CCR, SHCSR } from './sys/exceptions.js';
export type { ExceptionOptions } from './sys/exceptions.js';
export { Scs, SysTick, Dwt } from './sys/scs.js';
