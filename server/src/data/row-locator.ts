// Row index → file and line, for messages about cells ("line 17 of data.csv"). Lines usually
// advance one per row; only where they do not (a quoted field spanning lines, a blank line, the
// next file of a glob) is a breakpoint kept, so a clean file costs nothing per row.

export interface RowLocation {
  file: string;
  line: number;
}

export class RowLocator {
  /** Breakpoints: from `row` on, line = row + `offset` in `file`. */
  private readonly rows: number[] = [];
  private readonly offsets: number[] = [];
  private readonly files: string[] = [];

  record(row: number, file: string, line: number): void {
    const last = this.rows.length - 1;
    if (last >= 0 && this.files[last] === file && this.offsets[last] === line - row) return;
    this.rows.push(row);
    this.offsets.push(line - row);
    this.files.push(file);
  }

  locate(row: number): RowLocation | undefined {
    let lo = 0;
    let hi = this.rows.length - 1;
    if (hi < 0 || row < this.rows[0]) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.rows[mid] <= row) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.files[lo], line: row + this.offsets[lo] };
  }
}
