/** Types of deploy/check.mjs (static checks of the packaging files). Each returns problems; empty = fine. */
export function checkCompose(text: string, name?: string): string[];
export function checkChart(text: string, name?: string): string[];
export function checkValues(text: string, name?: string): string[];
export function checkTemplate(text: string, name: string): string[];
export function checkDockerfile(text: string, name?: string): string[];
export function checkRepository(root?: string): string[];
