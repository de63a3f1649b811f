/** Builds the browser viewer into `outDir` (default `dist/viewer`); returns the files written. */
export function buildViewer(outDir?: string, options?: { minify?: boolean }): Promise<string[]>;
