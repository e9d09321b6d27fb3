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

/** A step of 1, 2 or 5 times a power of ten, giving about five grid lines up to `max`. */
function gridStep(max: number): number {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough) ?? power * 10;
}

/**
 * A horizontal bar chart of p95 latency per scenario, written by hand as SVG text (no chart
 * library, viewable anywhere): green bars meet their target, red ones miss it, the dark tick marks
 * the target.
 */
export function p95Chart(title: string, bars: ChartBar[]): string {
  const labelWidth = 230;
  const plotWidth = 480;
  const rowHeight = 34;
  const top = 48;
  const height = top + bars.length * rowHeight + 40;
  const width = labelWidth + plotWidth + 120;
  const max = Math.max(1, ...bars.flatMap((b) => [b.valueMs ?? 0, b.targetMs ?? 0])) * 1.1;
  const step = gridStep(max);
  const x = (ms: number) => labelWidth + (Math.min(ms, max) / max) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="26" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (let ms = 0; ms <= max; ms += step) {
    const gx = x(ms).toFixed(1);
    parts.push(
      `<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${height - 34}" stroke="#e3e3e3"/>`,
      `<text x="${gx}" y="${height - 18}" text-anchor="middle" fill="#666">${+ms.toFixed(3)} ms</text>`,
    );
  }
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
        `<rect x="${labelWidth}" y="${y + 6}" width="${Math.max(1, x(bar.valueMs) - labelWidth).toFixed(1)}" height="18" fill="${color}"/>`,
        `<text x="${(x(bar.valueMs) + 6).toFixed(1)}" y="${y + 19}">${bar.valueMs.toFixed(2)} ms</text>`,
      );
    }
    if (bar.targetMs !== null) {
      const tx = x(bar.targetMs).toFixed(1);
      parts.push(
        `<line x1="${tx}" y1="${y + 2}" x2="${tx}" y2="${y + 28}" stroke="#222" stroke-width="2"/>`,
        `<title>target ${bar.targetMs} ms</title>`,
      );
    }
  });
  parts.push(
    `<text x="${width - 16}" y="26" text-anchor="end" fill="#666">bar: p95, tick: target</text>`,
    '</svg>',
  );
  return parts.join('\n') + '\n';
}
