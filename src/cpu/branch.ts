import type { Gen } from './index.js';

export const BRANCH_GEN: Record<string, Gen> = {};
