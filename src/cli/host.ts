/**
 * The Node side of semihosting (src/semihost/semihost.ts): the console, host files, the clock.
 *
 * Shut by default. Without a host directory only the console ":tt" opens; with one (`--host-dir DIR`), opening,
 * removing and renaming work on paths inside it only:
 * - a path with a `..` component is refused outright, and so is an absolute path outside the directory;
 * - the path is resolved with realpath and must still be inside the (realpath of the) directory, so a symbolic
 *   link, anywhere on the path, that leads out is refused; a dangling link as the last component is refused
 *   (creating through it would create its target, wherever that is);
 * - the resolved file is opened with O_NOFOLLOW, so a link swapped in after the check is not followed.
 * SYS_SYSTEM is always refused. Refusals fail with EACCES (files) or EPERM (system) and carry the reason, which
 * the core lists in `Semihosting.refusals` for the run summary.
 *
 * Handles: 0, 1, 2 are the console (stdin, stdout, stderr); files get 3 and up, each mapped to an OS file
 * descriptor with its own position (SYS_SEEK is absolute; reads and writes go at the position).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { ERRNO, type HostError, type SemihostHost } from '../semihost/semihost.js';

export interface NodeHostOptions {
  /** the directory the program may open, remove and rename files in; none: only ":tt" */
  hostDir?: string;
  /** SYS_GET_CMDLINE's answer (argv[0] and the arguments) */
  cmdline?: string;
  /** stdin: bytes to serve, or an OS fd to read (default 0) */
  stdin?: Uint8Array | number;
  /** where stdout / stderr bytes go (default: OS fds 1 and 2) */
  stdout?: (b: Uint8Array) => void;
  stderr?: (b: Uint8Array) => void;
  /** milliseconds clock (default Date.now) */
  now?: () => number;
}

interface OpenFile { osFd: number; pos: number; append: boolean; path: string }

const REFUSED_ERRNO = ERRNO.EACCES;

/** Node error -> the target's errno number (newlib's numbering). */
export function errnoOf(e: unknown): number {
  const code = (e as NodeJS.ErrnoException)?.code;
  return (code && (ERRNO as Record<string, number>)[code]) || ERRNO.EIO;
}
const err = (e: unknown): HostError => ({ errno: errnoOf(e) });

/** The spec's open modes 0-11 (r rb r+ r+b w wb w+ w+b a ab a+ a+b) as open(2) flags. */
function openFlags(mode: number): number {
  const c = constants;
  switch (mode >> 2) {
    case 0: return mode & 2 ? c.O_RDWR : c.O_RDONLY;
    case 1: return (mode & 2 ? c.O_RDWR : c.O_WRONLY) | c.O_CREAT | c.O_TRUNC;
    default: return (mode & 2 ? c.O_RDWR : c.O_WRONLY) | c.O_CREAT | c.O_APPEND;
  }
}

function writeAllSync(fd: number, b: Uint8Array): void {
  let off = 0;
  while (off < b.length) {
    try {
      off += writeSync(fd, b, off, b.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

export class NodeHost implements SemihostHost {
  /** realpath of the host directory, or null */
  readonly root: string | null;
  private files = new Map<number, OpenFile>();
  private nextFd = 3;
  private stdinPos = 0;
  private readonly start: number;
  private readonly now: () => number;

  constructor(private readonly opts: NodeHostOptions = {}) {
    this.root = opts.hostDir !== undefined ? realpathSync(opts.hostDir) : null;
    this.now = opts.now ?? Date.now;
    this.start = this.now();
  }

  // ---------------------------------------------------------------- the sandbox

  private inside(p: string): boolean {
    const root = this.root!;
    return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
  }

  /**
   * Where a program's path lands in the host directory, or why it may not. `follow`: the last component may be a
   * link inside the directory (open); otherwise the last component itself is the object (remove, rename).
   */
  resolvePath(path: string, follow: boolean): { path: string } | HostError {
    if (this.root === null) return { errno: REFUSED_ERRNO, refused: 'no host directory (--host-dir): only the console ":tt" opens' };
    if (path.includes('\0')) return { errno: ERRNO.EINVAL, refused: 'NUL in the path' };
    if (path === '') return { errno: ERRNO.ENOENT };
    if (path.split(/[\\/]+/).includes('..')) return { errno: REFUSED_ERRNO, refused: "'..' in the path" };
    const full = isAbsolute(path) ? resolve(path) : resolve(this.root, path);
    if (!this.inside(full)) return { errno: REFUSED_ERRNO, refused: 'outside the host directory' };
    const leaves = { errno: REFUSED_ERRNO, refused: 'a link leads outside the host directory' };
    if (follow) {
      try {
        const real = realpathSync(full);
        return this.inside(real) ? { path: real } : leaves;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return err(e);
        // missing, or a dangling link: a link's target could be anywhere
        try { lstatSync(full); return { errno: REFUSED_ERRNO, refused: 'a dangling link' }; } catch { /* really missing */ }
      }
    }
    const base = basename(full);
    if (full === this.root || base === '.' || base === '') return { errno: ERRNO.EINVAL, refused: 'the host directory itself' };
    let parent: string;
    try { parent = realpathSync(dirname(full)); } catch (e) { return err(e); }
    return this.inside(parent) ? { path: join(parent, base) } : leaves;
  }

  // ---------------------------------------------------------------- SemihostHost

  open(path: string, mode: number): { fd: number } | HostError {
    if (path === ':tt') return { fd: mode < 4 ? 0 : mode < 8 ? 1 : 2 };
    const r = this.resolvePath(path, true);
    if ('errno' in r) return r;
    try {
      const osFd = openSync(r.path, openFlags(mode) | constants.O_NOFOLLOW, 0o644);
      const fd = this.nextFd++;
      this.files.set(fd, { osFd, pos: 0, append: mode >= 8, path: r.path });
      return { fd };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ELOOP') return { errno: REFUSED_ERRNO, refused: 'a link was swapped in' };
      return err(e);
    }
  }

  close(fd: number): 0 | HostError {
    if (fd >= 0 && fd <= 2) return 0;
    const f = this.files.get(fd);
    if (!f) return { errno: ERRNO.EBADF };
    this.files.delete(fd);
    try { closeSync(f.osFd); return 0; } catch (e) { return err(e); }
  }

  /** Close every file the program left open. */
  closeAll(): void {
    for (const fd of [...this.files.keys()]) this.close(fd);
  }

  write(fd: number, bytes: Uint8Array): number | HostError {
    try {
      if (fd === 1 || fd === 2) {
        const sink = fd === 1 ? this.opts.stdout : this.opts.stderr;
        if (sink) sink(bytes.slice());
        else writeAllSync(fd, bytes);
        return 0;
      }
      const f = this.files.get(fd);
      if (!f) return { errno: ERRNO.EBADF };
      const n = writeSync(f.osFd, bytes, 0, bytes.length, f.append ? null : f.pos);
      f.pos = f.append ? fstatSync(f.osFd).size : f.pos + n;
      return bytes.length - n;
    } catch (e) { return err(e); }
  }

  read(fd: number, n: number): Uint8Array | HostError {
    try {
      if (fd === 0) {
        const src = this.opts.stdin ?? 0;
        if (src instanceof Uint8Array) {
          const out = src.slice(this.stdinPos, this.stdinPos + n);
          this.stdinPos += out.length;
          return out;
        }
        const buf = new Uint8Array(n);
        for (;;) {
          try { return buf.subarray(0, readSync(src, buf, 0, n, null)); } catch (e) {
            const code = (e as NodeJS.ErrnoException).code;
            if (code === 'EOF') return new Uint8Array(0);
            if (code !== 'EAGAIN') throw e;
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
          }
        }
      }
      const f = this.files.get(fd);
      if (!f) return { errno: ERRNO.EBADF };
      const buf = new Uint8Array(n);
      const got = readSync(f.osFd, buf, 0, n, f.pos);
      f.pos += got;
      return buf.subarray(0, got);
    } catch (e) { return err(e); }
  }

  seek(fd: number, pos: number): 0 | HostError {
    if (fd >= 0 && fd <= 2) return { errno: ERRNO.ESPIPE };
    const f = this.files.get(fd);
    if (!f) return { errno: ERRNO.EBADF };
    f.pos = pos;
    return 0;
  }

  flen(fd: number): number | HostError {
    if (fd >= 0 && fd <= 2) return 0;
    const f = this.files.get(fd);
    if (!f) return { errno: ERRNO.EBADF };
    try { return fstatSync(f.osFd).size; } catch (e) { return err(e); }
  }

  istty(fd: number): boolean | HostError {
    if (fd >= 0 && fd <= 2) return true; // the console, as QEMU answers
    return this.files.has(fd) ? false : { errno: ERRNO.EBADF };
  }

  remove(path: string): 0 | HostError {
    const r = this.resolvePath(path, false);
    if ('errno' in r) return r;
    try { unlinkSync(r.path); return 0; } catch (e) { return err(e); }
  }

  rename(from: string, to: string): 0 | HostError {
    const a = this.resolvePath(from, false);
    if ('errno' in a) return a;
    const b = this.resolvePath(to, false);
    if ('errno' in b) return b;
    try { renameSync(a.path, b.path); return 0; } catch (e) { return err(e); }
  }

  clockCentiseconds(): number { return Math.floor((this.now() - this.start) / 10); }
  timeSeconds(): number { return Math.floor(this.now() / 1000); }
  cmdline(): string { return this.opts.cmdline ?? 'program'; }
  system(_cmd: string): HostError {
    return { errno: ERRNO.EPERM, refused: 'host commands are never run' };
  }
}
