/**
 * Memory-mapped devices on the bus: a device owns an address window and answers reads and writes of 1, 2 or 4
 * bytes at an offset into it. Peripherals (UARTs, SysTick, NVIC, SCB, DWT) implement this; so does the
 * stand-in for a board's unmodelled peripheral space, which reads as 0, ignores writes and remembers each address
 * touched so a run can report them once.
 */
export interface Device {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  /** value of a read of `size` bytes at `offset` (zero-extended) */
  read(offset: number, size: 1 | 2 | 4): number;
  write(offset: number, size: 1 | 2 | 4, value: number): void;
}

/** A peripheral window nobody models: reads 0, writes ignored, every address touched recorded. */
export class UnmodelledDevice implements Device {
  /** addresses read or written, in the order first touched */
  readonly touched = new Map<number, { reads: number; writes: number }>();
  constructor(readonly name: string, readonly base: number, readonly size: number) {}
  private note(offset: number, write: boolean): void {
    const a = (this.base + offset) >>> 0;
    let t = this.touched.get(a);
    if (!t) this.touched.set(a, (t = { reads: 0, writes: 0 }));
    if (write) t.writes++; else t.reads++;
  }
  read(offset: number): number { this.note(offset, false); return 0; }
  write(offset: number): void { this.note(offset, true); }
}
