import type { Gen } from './index.js';

export const MUL_GEN: Record<string, Gen> = {};
