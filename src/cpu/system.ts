import type { Gen } from './index.js';

export const SYSTEM_GEN: Record<string, Gen> = {};
