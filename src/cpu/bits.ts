import type { Gen } from './index.js';

export const BITS_GEN: Record<string, Gen> = {};
