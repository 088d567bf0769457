import type { Gen } from './index.js';

export const DSP_GEN: Record<string, Gen> = {};
