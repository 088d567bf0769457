/**
 * The shipped boards. The JSON files in boards/ are imported (not read from disk), so the core works in a browser
 * unchanged; each is validated once when this module loads, and an invalid shipped board is a build error
 * (test/unit/boards.test.ts checks them all).
 */
import mps2An386 from '../../boards/mps2-an386.json' with { type: 'json' };
import mps2An500 from '../../boards/mps2-an500.json' with { type: 'json' };
import stm32f411re from '../../boards/stm32f411re.json' with { type: 'json' };
import stm32f412 from '../../boards/stm32f412.json' with { type: 'json' };
import stm32f746gDisco from '../../boards/stm32f746g-disco.json' with { type: 'json' };
import stm32f767 from '../../boards/stm32f767.json' with { type: 'json' };
import stm32h743 from '../../boards/stm32h743.json' with { type: 'json' };
import { validateBoard, type Board } from './schema.js';

/** [file name as in the repository, parsed JSON] of every shipped board. */
export const BOARD_FILES: readonly (readonly [string, unknown])[] = [
  ['boards/mps2-an386.json', mps2An386],
  ['boards/mps2-an500.json', mps2An500],
  ['boards/stm32f411re.json', stm32f411re],
  ['boards/stm32f412.json', stm32f412],
  ['boards/stm32f746g-disco.json', stm32f746gDisco],
  ['boards/stm32f767.json', stm32f767],
  ['boards/stm32h743.json', stm32h743],
];

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

function load(): Record<string, Board> {
  const out: Record<string, Board> = {};
  for (const [file, json] of BOARD_FILES) {
    const { board, errors } = validateBoard(json, file);
    if (!board) throw new Error(`invalid shipped board:\n${errors.join('\n')}`);
    if (out[board.name]) throw new Error(`${file}: board name ${board.name} is used twice`);
    out[board.name] = deepFreeze(board);
  }
  return Object.freeze(out);
}

/** Every shipped board by name, validated and frozen. */
export const BOARDS: Readonly<Record<string, Board>> = load();

/** The shipped boards' names, sorted. */
export function boardNames(): string[] {
  return Object.keys(BOARDS).sort();
}

/** A shipped board by name; RangeError naming the known boards otherwise. */
export function getBoard(name: string): Board {
  const b = Object.prototype.hasOwnProperty.call(BOARDS, name) ? BOARDS[name] : undefined;
  if (!b) throw new RangeError(`unknown board '${name}'; boards: ${boardNames().join(', ')}`);
  return b;
}
