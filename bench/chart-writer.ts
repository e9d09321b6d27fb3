export interface ChartBar {
  label: string;
  /** null: no measurement (the scenario is not available yet, or failed). */
  valueMs: number | null;
  targetMs: number | null;
  note?: string;
}

const escapeXml = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

/** Grid values 1, 2, 5 x powers of ten between `min` and `max`. */
function gridValues(min: number, max: number): number[] {
  const values: number[] = [];
  for (let power = Math.floor(Math.log10(min)); 10 ** power <= max; power++) {
    for (const m of [1, 2, 5]) {
      const value = m * 10 ** power;
      if (value >= min && value <= max) values.push(value);
    }
  }
  return values;
}

/**
 * A horizontal bar chart of p95 latency per scenario on a logarithmic scale (targets of a few ms and
 * misses of seconds on one chart), written by hand as SVG text, viewable anywhere: green bars meet
 * their target, red ones miss it, blue ones have none of their own; the dark tick is the target.
 */
export function p95Chart(title: string, bars: ChartBar[]): string {
  const labelWidth = 230;
  const plotWidth = 480;
  const rowHeight = 34;
  const top = 48;
  const height = top + bars.length * rowHeight + 48;
  const width = labelWidth + plotWidth + 120;
  const values = bars.flatMap((b) => [b.valueMs, b.targetMs]).filter((v): v is number => v !== null && v > 0);
  const min = 10 ** Math.floor(Math.log10(Math.min(1, ...values)));
  const max = 10 ** Math.ceil(Math.log10(Math.max(10, ...values) * 1.2));
  const x = (ms: number) =>
    labelWidth + (Math.log10(Math.min(Math.max(ms, min), max) / min) / Math.log10(max / min)) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="26" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (const ms of gridValues(min, max)) {
    const gx = x(ms).toFixed(1);
    parts.push(
      `<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${height - 42}" stroke="#e3e3e3"/>`,
      `<text x="${gx}" y="${height - 26}" text-anchor="middle" fill="#666" font-size="11">${ms}</text>`,
    );
  }
  parts.push(
    `<text x="${labelWidth + plotWidth / 2}" y="${height - 4}" text-anchor="middle" fill="#666" font-size="11">ms (log scale)</text>`,
  );
  bars.forEach((bar, i) => {
    const y = top + i * rowHeight;
    parts.push(`<text x="${labelWidth - 10}" y="${y + 19}" text-anchor="end">${escapeXml(bar.label)}</text>`);
    if (bar.valueMs === null) {
      parts.push(
        `<text x="${labelWidth + 6}" y="${y + 19}" fill="#888" font-style="italic">${escapeXml(bar.note ?? 'not available yet')}</text>`,
      );
    } else {
      const missed = bar.targetMs !== null && bar.valueMs > bar.targetMs;
      const color = bar.targetMs === null ? '#5b8def' : missed ? '#d9534f' : '#3fa34d';
      parts.push(
        `<rect x="${labelWidth}" y="${y + 6}" width="${Math.max(1, x(bar.valueMs) - labelWidth).toFixed(1)}" height="18" fill="${color}"><title>p95 ${bar.valueMs.toFixed(2)} ms${bar.targetMs === null ? '' : `, target ${bar.targetMs} ms`}</title></rect>`,
        `<text x="${(x(bar.valueMs) + 6).toFixed(1)}" y="${y + 19}">${bar.valueMs.toFixed(2)} ms</text>`,
      );
    }
    if (bar.targetMs !== null) {
      const tx = x(bar.targetMs).toFixed(1);
      parts.push(`<line x1="${tx}" y1="${y + 2}" x2="${tx}" y2="${y + 28}" stroke="#222" stroke-width="2"/>`);
    }
  });
  parts.push(
    `<text x="${width - 16}" y="26" text-anchor="end" fill="#666">bar: p95, tick: target</text>`,
    '</svg>',
  );
  return parts.join('\n') + '\n';
}
