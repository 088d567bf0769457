import type { Gen } from './index.js';

export const LDST_GEN: Record<string, Gen> = {};
