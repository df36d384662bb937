/** Asia/Jakarta is UTC+7 all year (no daylight saving): the banks' business day. */
export const JAKARTA_OFFSET_MS = 7 * 3_600_000;

/** yyyy-MM-dd in Asia/Jakarta: the date a bank files a transfer under. */
export function jakartaDate(at: Date | number): string {
  return new Date((typeof at === "number" ? at : at.getTime()) + JAKARTA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Jakarta date `days` days before `now` (windows a bank keeps records for). */
export function jakartaDaysBefore(now: Date | number, days: number): string {
  return jakartaDate(+now - days * 86_400_000);
}
