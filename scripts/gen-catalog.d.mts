export const SPEC_PATH: string;
export const CONSTRAINTS_PATH: string;
export const OUT_PATH: string;
export const MODEL_PATH: string;
export function buildModel(spec: unknown, constraints: unknown): unknown;
export function generateCatalogSource(spec: unknown, constraints: unknown): string;
export function generateModelSource(spec: unknown, constraints: unknown): string;
