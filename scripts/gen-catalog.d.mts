export const SPEC_PATH: string;
export const OUT_PATH: string;
export function generateCatalogSource(spec: unknown): string;
