/**
 * ELF32 little-endian ARM executables: the ELF header, the LOAD segments (placed at their physical address), the
 * section headers with their names, and the symbol table (.symtab/.strtab).
 *
 * Sources: the System V ABI "ELF" chapter (header, program header, section header and symbol layouts) and ARM's
 * "ELF for the Arm Architecture" (e_machine EM_ARM = 40; a Thumb function's st_value has bit 0 set; mapping
 * symbols $a/$t/$d).
 *
 * Bad input never crashes: every read is bounds-checked first, and every problem is an ElfError whose message says
 * what was expected, what was found and where (the field name and its file offset). parseElf throws nothing else.
 * Core code: no Node imports, the input is a Uint8Array.
 */

export interface ElfSegment {
  vaddr: number;
  paddr: number;
  /** the segment's bytes in the file (p_filesz of them) */
  bytes: Uint8Array;
  /** p_memsz; bytes past the file bytes are zero (.bss) */
  memSize: number;
  /** p_flags: PF_X | PF_W | PF_R */
  flags: number;
}

export type ElfSymbolType = 'func' | 'object' | 'notype' | 'section' | 'file';
export type ElfSymbolBind = 'local' | 'global' | 'weak';

export interface ElfSymbol {
  name: string;
  /** st_value; for a Thumb function bit 0 is cleared (see thumb) */
  value: number;
  size: number;
  type: ElfSymbolType;
  bind: ElfSymbolBind;
  /** st_shndx: the index of the section it is defined in (0 undefined, 0xfff1 absolute, 0xfff2 common) */
  section: number;
  /** a function whose st_value had bit 0 set */
  thumb: boolean;
}

export interface ElfSection { name: string; address: number; size: number; type: number; flags: number }

export interface ElfImage {
  /** e_entry as in the file (bit 0 set for a Thumb entry point; Machine.load clears it) */
  entry: number;
  /** the PT_LOAD program headers, in file order */
  segments: ElfSegment[];
  /** every symbol of .symtab except the null symbol at index 0, in table order */
  symbols: ElfSymbol[];
  /** every section header, indexed as in the file (index 0 is the null section), so ElfSymbol.section indexes it */
  sections: ElfSection[];
  /** what Machine.load takes: LOAD segments at their physical address, memSize > fileSize zero-filled */
  loadable(): { sections: { address: number; bytes: Uint8Array }[]; entry: number };
  /** the function containing an address, for reports */
  symbolAt(address: number): ElfSymbol | undefined;
}

/** A bad ELF file: what is wrong, and the file offset of the field or data concerned when there is one. */
export class ElfError extends Error {
  constructor(message: string, readonly offset?: number) {
    super(message);
    this.name = 'ElfError';
  }
}

export const PT_LOAD = 1;
export const PF_X = 1, PF_W = 2, PF_R = 4;
export const SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_NOBITS = 8;
export const SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
export const EM_ARM = 40;
const ET_NAMES = ['none (ET_NONE)', 'relocatable object (ET_REL)', 'executable (ET_EXEC)', 'shared object (ET_DYN)', 'core file (ET_CORE)'];
const EHDR_SIZE = 52, PHDR_SIZE = 32, SHDR_SIZE = 40, SYM_SIZE = 16;
const SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, SHN_XINDEX = 0xffff, PN_XNUM = 0xffff;
/** loadable() refuses a segment larger than this (no Cortex-M memory is near it; a corrupt p_memsz is likelier) */
const MAX_LOAD = 0x1000_0000;

const hex = (v: number, w = 8) => '0x' + (v >>> 0).toString(16).padStart(w, '0');
/** [a, b) as text; b may be 2^32 */
const range = (a: number, b: number) => `[${hex(a)}, ${b > 0xffffffff ? '0x100000000' : hex(b)})`;

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** Bounds-checked little-endian reads; `what` names the field for the error. */
class Reader {
  constructor(readonly b: Uint8Array) {}
  need(off: number, n: number, what: string): void {
    if (off + n > this.b.length) {
      throw new ElfError(`file truncated: ${what} at offset ${hex(off)} needs ${n} byte${n === 1 ? '' : 's'}, but the file ends at ${hex(this.b.length)}`, off);
    }
  }
  u8(off: number, what: string): number { this.need(off, 1, what); return this.b[off]!; }
  u16(off: number, what: string): number { this.need(off, 2, what); return this.b[off]! | (this.b[off + 1]! << 8); }
  u32(off: number, what: string): number {
    this.need(off, 4, what);
    const b = this.b;
    return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
  }
}

interface RawSection extends ElfSection { index: number; hdr: number; offset: number; link: number; info: number; entsize: number; nameOff: number }

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Parse an ELF32 little-endian ARM executable. Throws ElfError (and nothing else) for anything that is not one or
 * is malformed: bad magic, ELF64/big-endian, another machine, a relocatable object, truncated tables or data, bad
 * string table offsets, LOAD segments overlapping each other.
 */
export function parseElf(bytes: Uint8Array): ElfImage {
  try {
    return parse(bytes);
  } catch (e) {
    if (e instanceof ElfError) throw e;
    // a bug here must still not escape as a TypeError/RangeError: report it as a bad file, with the cause
    throw new ElfError(`internal error while reading the ELF file: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function parse(bytes: Uint8Array): ElfImage {
  if (!(bytes instanceof Uint8Array)) throw new ElfError('expected the ELF file as a Uint8Array');
  const r = new Reader(bytes);

  // ---- e_ident
  if (!isElf(bytes)) {
    const got = Array.from(bytes.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
    throw new ElfError(`not an ELF file: expected the magic number 7f 45 4c 46 ("\\x7fELF") at offset 0, found ${got ? got : 'an empty file'}`, 0);
  }
  const cls = r.u8(4, 'e_ident[EI_CLASS]');
  if (cls !== 1) {
    throw new ElfError(`wrong ELF class: e_ident[EI_CLASS] at offset 0x4 is ${cls}${cls === 2 ? ' (ELF64)' : ''}, expected 1 (ELF32)`, 4);
  }
  const data = r.u8(5, 'e_ident[EI_DATA]');
  if (data !== 1) {
    throw new ElfError(`wrong byte order: e_ident[EI_DATA] at offset 0x5 is ${data}${data === 2 ? ' (big-endian)' : ''}, expected 1 (little-endian)`, 5);
  }
  const identVersion = r.u8(6, 'e_ident[EI_VERSION]');
  if (identVersion !== 1) throw new ElfError(`e_ident[EI_VERSION] at offset 0x6 is ${identVersion}, expected 1 (EV_CURRENT)`, 6);
  r.need(0, EHDR_SIZE, 'the ELF header (52 bytes)');

  // ---- the rest of the ELF header
  const type = r.u16(16, 'e_type');
  const machine = r.u16(18, 'e_machine');
  if (machine !== EM_ARM) {
    throw new ElfError(`wrong machine: e_machine at offset 0x12 is ${machine}${machineName(machine)}, expected 40 (EM_ARM)`, 18);
  }
  if (type !== 2) {
    const what = ET_NAMES[type] ?? `type ${type}`;
    const advice = type === 1 ? 'relocatable object: link it first (e_type at offset 0x10 is 1, ET_REL; expected 2, ET_EXEC)'
      : type === 3 ? 'shared object or position-independent executable: link it with -static/-no-pie (e_type at offset 0x10 is 3, ET_DYN; expected 2, ET_EXEC)'
      : `not an executable: e_type at offset 0x10 is ${type} (${what}), expected 2 (ET_EXEC)`;
    throw new ElfError(advice, 16);
  }
  const version = r.u32(20, 'e_version');
  if (version !== 1) throw new ElfError(`e_version at offset 0x14 is ${version}, expected 1 (EV_CURRENT)`, 20);
  const entry = r.u32(24, 'e_entry');
  const phoff = r.u32(28, 'e_phoff');
  const shoff = r.u32(32, 'e_shoff');
  const phentsize = r.u16(42, 'e_phentsize');
  let phnum = r.u16(44, 'e_phnum');
  const shentsize = r.u16(46, 'e_shentsize');
  let shnum = r.u16(48, 'e_shnum');
  let shstrndx = r.u16(50, 'e_shstrndx');

  // ---- section header table (read first: extended numbering keeps counts in section 0)
  if (shoff !== 0) {
    if (shentsize < SHDR_SIZE) throw new ElfError(`e_shentsize at offset 0x2e is ${shentsize}, expected at least ${SHDR_SIZE} (the size of an ELF32 section header)`, 46);
    r.need(shoff, SHDR_SIZE, 'section header 0 (e_shoff)');
    if (shnum === 0) shnum = r.u32(shoff + 20, 'section 0 sh_size (the section count when e_shnum is 0)');
    if (shstrndx === SHN_XINDEX) shstrndx = r.u32(shoff + 24, 'section 0 sh_link (the e_shstrndx when e_shstrndx is 0xffff)');
    if (phnum === PN_XNUM) phnum = r.u32(shoff + 28, 'section 0 sh_info (the program header count when e_phnum is 0xffff)');
    const end = shoff + shnum * shentsize;
    if (end > bytes.length) {
      throw new ElfError(`file truncated: the section header table (e_shoff ${hex(shoff)}, ${shnum} entries of ${shentsize} bytes) ends at ${hex(end)}, but the file ends at ${hex(bytes.length)}`, shoff);
    }
  } else {
    shnum = 0;
  }

  // ---- program headers
  const segments: ElfSegment[] = [];
  const segHdr: number[] = [];
  if (phnum > 0) {
    if (phentsize < PHDR_SIZE) throw new ElfError(`e_phentsize at offset 0x2a is ${phentsize}, expected at least ${PHDR_SIZE} (the size of an ELF32 program header)`, 42);
    const end = phoff + phnum * phentsize;
    if (end > bytes.length) {
      throw new ElfError(`file truncated: the program header table (e_phoff ${hex(phoff)}, ${phnum} entries of ${phentsize} bytes) ends at ${hex(end)}, but the file ends at ${hex(bytes.length)}`, phoff);
    }
    for (let i = 0; i < phnum; i++) {
      const h = phoff + i * phentsize;
      const field = (name: string) => `program header ${i} ${name}`;
      if (r.u32(h, field('p_type')) !== PT_LOAD) continue;
      const offset = r.u32(h + 4, field('p_offset'));
      const vaddr = r.u32(h + 8, field('p_vaddr'));
      const paddr = r.u32(h + 12, field('p_paddr'));
      const filesz = r.u32(h + 16, field('p_filesz'));
      const memsz = r.u32(h + 20, field('p_memsz'));
      const flags = r.u32(h + 24, field('p_flags'));
      if (filesz > memsz) {
        throw new ElfError(`segment ${i} (program header at ${hex(h)}): p_filesz ${hex(filesz)} is larger than p_memsz ${hex(memsz)}`, h + 16);
      }
      if (filesz > 0 && offset + filesz > bytes.length) {
        throw new ElfError(`file truncated: segment ${i} data (p_offset ${hex(offset)}, p_filesz ${hex(filesz)}) ends at ${hex(offset + filesz)}, but the file ends at ${hex(bytes.length)}`, offset);
      }
      if (paddr + memsz > 0x1_0000_0000) {
        throw new ElfError(`segment ${i} (program header at ${hex(h)}): p_paddr ${hex(paddr)} + p_memsz ${hex(memsz)} runs past the end of the 32-bit address space`, h + 12);
      }
      segments.push({ vaddr, paddr, bytes: bytes.subarray(offset, offset + filesz), memSize: memsz, flags });
      segHdr.push(h);
    }
  }
  // LOAD segments must not overlap where they are loaded (the physical address)
  const order = segments.map((s, k) => k).filter((k) => segments[k]!.memSize > 0).sort((a, b) => segments[a]!.paddr - segments[b]!.paddr);
  for (let j = 1; j < order.length; j++) {
    const a = segments[order[j - 1]!]!, b = segments[order[j]!]!;
    if (b.paddr < a.paddr + a.memSize) {
      const ia = segIndex(segHdr[order[j - 1]!]!, phoff, phentsize), ib = segIndex(segHdr[order[j]!]!, phoff, phentsize);
      throw new ElfError(`segments overlap: segment ${ia} ${range(a.paddr, a.paddr + a.memSize)} and segment ${ib} ${range(b.paddr, b.paddr + b.memSize)} (physical addresses)`, segHdr[order[j]!]);
    }
  }

  // ---- section headers
  const raw: RawSection[] = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * shentsize;
    const f = (name: string) => `section header ${i} ${name}`;
    const s: RawSection = {
      index: i, hdr: h, name: '',
      nameOff: r.u32(h, f('sh_name')),
      type: r.u32(h + 4, f('sh_type')),
      flags: r.u32(h + 8, f('sh_flags')),
      address: r.u32(h + 12, f('sh_addr')),
      offset: r.u32(h + 16, f('sh_offset')),
      size: r.u32(h + 20, f('sh_size')),
      link: r.u32(h + 24, f('sh_link')),
      info: r.u32(h + 28, f('sh_info')),
      entsize: r.u32(h + 36, f('sh_entsize')),
    };
    if (i > 0 && s.type !== SHT_NOBITS && s.type !== 0 && s.size > 0 && s.offset + s.size > bytes.length) {
      throw new ElfError(`file truncated: section ${i} data (sh_offset ${hex(s.offset)}, sh_size ${hex(s.size)}) ends at ${hex(s.offset + s.size)}, but the file ends at ${hex(bytes.length)}`, s.offset);
    }
    raw.push(s);
  }
  if (shnum > 0 && shstrndx !== SHN_UNDEF) {
    if (shstrndx >= shnum) throw new ElfError(`e_shstrndx at offset 0x32 is ${shstrndx}, but there are only ${shnum} sections`, 50);
    const table = raw[shstrndx]!;
    const what = 'the section name string table (e_shstrndx)';
    // its own name first, so that errors about the other names can say which section it is
    table.name = readString(bytes, stringTable(table, what), table.nameOff, `section header ${shstrndx} sh_name`, table.hdr);
    const strs = stringTable(table, what);
    for (const s of raw) s.name = readString(bytes, strs, s.nameOff, `section header ${s.index} sh_name`, s.hdr);
  }

  // ---- symbols
  const symbols: ElfSymbol[] = [];
  for (const st of raw) {
    if (st.type !== SHT_SYMTAB) continue;
    const what = `symbol table section ${st.index}${st.name ? ` (${st.name})` : ''}`;
    const ent = st.entsize || SYM_SIZE;
    if (ent < SYM_SIZE) throw new ElfError(`${what}: sh_entsize is ${ent}, expected ${SYM_SIZE}`, st.hdr + 36);
    if (st.size % ent !== 0) throw new ElfError(`${what}: sh_size ${hex(st.size)} is not a multiple of the entry size ${ent}`, st.hdr + 20);
    if (st.link >= shnum) throw new ElfError(`${what}: sh_link ${st.link} (its string table) is not a section index (there are ${shnum} sections)`, st.hdr + 24);
    const strs = stringTable(raw[st.link]!, `the string table of ${what} (sh_link ${st.link})`);
    const n = st.size / ent;
    for (let k = 1; k < n; k++) {
      const o = st.offset + k * ent;
      const f = (name: string) => `${what} entry ${k} ${name}`;
      const name = readString(bytes, strs, r.u32(o, f('st_name')), f('st_name'), o);
      let value = r.u32(o + 4, f('st_value'));
      const size = r.u32(o + 8, f('st_size'));
      const info = r.u8(o + 12, f('st_info'));
      const section = r.u16(o + 14, f('st_shndx'));
      const type = symType(info & 15);
      const thumb = type === 'func' && (value & 1) === 1;
      if (thumb) value = (value & ~1) >>> 0;
      symbols.push({ name, value, size, type, bind: symBind(info >>> 4), section, thumb });
    }
  }

  const sections: ElfSection[] = raw.map((s) => ({ name: s.name, address: s.address, size: s.size, type: s.type, flags: s.flags }));
  return makeImage(entry, segments, symbols, sections);
}

function segIndex(hdr: number, phoff: number, phentsize: number): number { return (hdr - phoff) / phentsize; }

function machineName(m: number): string {
  const names: Record<number, string> = { 3: 'x86', 8: 'MIPS', 20: 'PowerPC', 62: 'x86-64', 183: 'AArch64', 243: 'RISC-V' };
  return names[m] ? ` (${names[m]})` : '';
}

/** A string table section: its type and data range, checked. */
function stringTable(s: RawSection, what: string): { start: number; size: number; label: string } {
  const label = `${what}, section ${s.index}${s.name ? ` (${s.name})` : ''}`;
  if (s.type !== SHT_STRTAB) throw new ElfError(`${label}: sh_type is ${s.type}, expected 3 (SHT_STRTAB)`, s.hdr + 4);
  return { start: s.offset, size: s.size, label };
}

/** The NUL-terminated string at `off` in a string table; `what` names the field holding the offset. */
function readString(bytes: Uint8Array, t: { start: number; size: number; label: string }, off: number, what: string, fieldAt: number): string {
  if (off >= t.size) {
    if (off === 0 && t.size === 0) return '';
    throw new ElfError(`bad string table offset: ${what} (at ${hex(fieldAt)}) is ${hex(off)}, past the end of ${t.label} (size ${hex(t.size)})`, fieldAt);
  }
  const from = t.start + off, end = t.start + t.size;
  let z = from;
  while (z < end && bytes[z] !== 0) z++;
  if (z === end) {
    throw new ElfError(`bad string table: the string at ${what} ${hex(off)} (file offset ${hex(from)}) has no terminating NUL before the end of ${t.label}`, from);
  }
  return decoder.decode(bytes.subarray(from, z));
}

function symType(t: number): ElfSymbolType {
  switch (t) {
    case 1: return 'object';
    case 2: return 'func';
    case 3: return 'section';
    case 4: return 'file';
    case 5: case 6: return 'object'; // STT_COMMON, STT_TLS: data
    default: return 'notype';
  }
}
function symBind(b: number): ElfSymbolBind {
  return b === 0 ? 'local' : b === 2 ? 'weak' : 'global'; // STB_GLOBAL and STB_GNU_UNIQUE (10) are global
}

/** ARM mapping symbols ($a, $t, $d, $t.foo...) mark code/data boundaries; they name nothing. */
const isMappingSymbol = (s: ElfSymbol) => /^\$[atdx](\.|$)/.test(s.name);

function makeImage(entry: number, segments: ElfSegment[], symbols: ElfSymbol[], sections: ElfSection[]): ElfImage {
  // candidates for symbolAt: functions first; labels (notype, like a hand-written _start) as a fallback
  const code = symbols.filter((s) => (s.type === 'func' || s.type === 'notype') && !isMappingSymbol(s) &&
    s.section !== SHN_UNDEF && s.section < SHN_LORESERVE && s.name !== '');
  const isCodeSection = (i: number) => ((sections[i]?.flags ?? 0) & SHF_EXECINSTR) !== 0;
  return {
    entry, segments, symbols, sections,
    loadable() {
      return {
        entry,
        sections: segments.map((s, i) => {
          if (s.memSize > MAX_LOAD) throw new ElfError(`segment ${i} at ${hex(s.paddr)} is ${hex(s.memSize)} bytes in memory, too large to load (limit ${hex(MAX_LOAD)})`);
          if (s.memSize === s.bytes.length) return { address: s.paddr, bytes: s.bytes.slice() };
          const b = new Uint8Array(s.memSize);
          b.set(s.bytes);
          return { address: s.paddr, bytes: b };
        }),
      };
    },
    symbolAt(address: number) {
      const a = address >>> 0;
      // a sized symbol containing the address: a function before a label
      let best: ElfSymbol | undefined;
      for (const s of code) {
        if (s.size > 0 && a >= s.value && a - s.value < s.size && (!best || (best.type !== 'func' && s.type === 'func'))) best = s;
      }
      if (best) return best;
      // else the nearest unsized label/function at or below it in the same code section
      const sec = sections.findIndex((x, i) => i > 0 && (x.flags & SHF_ALLOC) !== 0 && a >= x.address && a - x.address < x.size);
      if (sec < 0 || !isCodeSection(sec)) return undefined;
      for (const s of code) {
        if (s.size === 0 && s.section === sec && s.value <= a && (!best || s.value > best.value || (s.value === best.value && s.type === 'func' && best.type !== 'func'))) best = s;
      }
      return best;
    },
  };
}

/**
 * Problems placing an image in memory: a LOAD segment (at its physical address, memSize bytes) not inside the
 * memory regions, LOAD segments overlapping each other, an entry point outside every LOAD segment. Empty: it fits.
 */
export function checkFits(image: ElfImage, regions: { name: string; base: number; size: number }[]): string[] {
  const errors: string[] = [];
  const regs = [...regions].map((x) => ({ name: x.name, base: x.base >>> 0, end: (x.base >>> 0) + x.size })).sort((a, b) => a.base - b.base);
  const map = regs.map((x) => `${x.name} ${range(x.base, x.end)}`).join(', ') || 'none';
  image.segments.forEach((s, i) => {
    if (s.memSize === 0) return;
    const start = s.paddr >>> 0, end = start + s.memSize;
    const where = `segment ${i} ${range(start, end)} (${s.memSize} bytes at its physical address)`;
    // walk the regions covering [start, end); adjacent regions may share a segment (the bus loads across them)
    const first = regs.find((x) => start >= x.base && start < x.end);
    if (!first) { errors.push(`${where} is outside every memory region (${map})`); return; }
    let cur = first;
    while (cur.end < end) {
      const next = regs.find((x) => x.base === cur.end);
      if (!next) { errors.push(`${where} runs past the end of region ${cur.name} ${range(cur.base, cur.end)} at ${hex(cur.end)}`); return; }
      cur = next;
    }
  });
  const order = image.segments.map((s, i) => i).filter((i) => image.segments[i]!.memSize > 0)
    .sort((a, b) => (image.segments[a]!.paddr >>> 0) - (image.segments[b]!.paddr >>> 0));
  for (let j = 0; j < order.length; j++) {
    const a = image.segments[order[j]!]!;
    const aEnd = (a.paddr >>> 0) + a.memSize;
    for (let k = j + 1; k < order.length; k++) {
      const b = image.segments[order[k]!]!;
      if ((b.paddr >>> 0) >= aEnd) break;
      errors.push(`segments ${order[j]} ${range(a.paddr, aEnd)} and ${order[k]} ${range(b.paddr, (b.paddr >>> 0) + b.memSize)} overlap`);
    }
  }
  const e = (image.entry & ~1) >>> 0;
  const inside = (e: number, base: number, n: number) => e >= (base >>> 0) && e - (base >>> 0) < n;
  if (image.segments.length && !image.segments.some((s) => inside(e, s.paddr, s.memSize) || inside(e, s.vaddr, s.memSize))) {
    errors.push(`the entry point ${hex(image.entry)} is not inside any LOAD segment`);
  }
  return errors;
}
