/**
 * Architectural events that end a block: faults (what the core would take as an exception), and traps the
 * machine handles itself (BKPT, SVC without an exception model, WFI with nothing to wake it).
 * They are thrown as plain objects of this class, never as JavaScript Errors: a user's program going wrong is
 * a result, not a crash.
 */
export type FaultKind = 'UsageFault' | 'BusFault' | 'MemManage' | 'HardFault';
export type UsageReason = 'UNDEFINSTR' | 'INVSTATE' | 'INVPC' | 'NOCP' | 'UNALIGNED' | 'DIVBYZERO';
export type BusReason = 'IBUSERR' | 'PRECISERR' | 'IMPRECISERR' | 'STKERR' | 'UNSTKERR';

export class CpuFault {
  constructor(
    readonly kind: FaultKind,
    readonly reason: UsageReason | BusReason | string,
    readonly message: string,
    /** faulting data address, where there is one */
    readonly address?: number,
  ) {}
}

export type TrapKind = 'bkpt' | 'svc' | 'wfi' | 'wfe';
export class Trap {
  constructor(readonly kind: TrapKind, readonly imm: number) {}
}

export const undefinedInstruction = (why: string) => new CpuFault('UsageFault', 'UNDEFINSTR', why);
export const busError = (address: number, write: boolean, size: number) =>
  new CpuFault('BusFault', 'PRECISERR', `${write ? 'write' : 'read'} of ${size} byte${size > 1 ? 's' : ''} at 0x${(address >>> 0).toString(16).padStart(8, '0')} outside the memory map`, address >>> 0);
export const unaligned = (address: number, what: string) =>
  new CpuFault('UsageFault', 'UNALIGNED', `unaligned ${what} at 0x${(address >>> 0).toString(16).padStart(8, '0')}`, address >>> 0);
