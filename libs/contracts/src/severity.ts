/**
 * Severities and their colours, in a module without zod: the web console bundles these values and nothing
 * else of the contracts lib (the package is marked side-effect free).
 */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

/** Severity colours of the HTML report and the console, dark enough for white text (contrast ≥ 4.5:1). */
export const SEVERITY_COLORS: Record<(typeof SEVERITIES)[number], string> = {
  critical: '#8b0000',
  high: '#c2410c',
  medium: '#a16207',
  low: '#1d4ed8',
  info: '#4b5563',
};
