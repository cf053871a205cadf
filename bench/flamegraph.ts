/**
 * `npx tsx bench/flamegraph.ts PROFILE.cpuprofile OUT.svg [--title TEXT] [--min-percent P]`:
 * a flame graph of a V8 CPU profile (`node --cpu-prof`, or BENCH_PROFILE_DIR for the bench's
 * gateways) as one self-contained SVG: callers below, callees above, each frame as wide as
 * the CPU time spent in it and in what it called; idle time left out. Hovering a frame shows
 * its function, source, milliseconds and share. Colours say whose code it is: Switchyard's
 * own (dist/), undici, other packages, Node's JavaScript, V8 and the kernel (native, GC).
 *
 * Written here because the maintained npm tools read V8 .cpuprofile files only into a
 * browser application or a text summary, not into a file that can be committed and opened
 * offline. Frames narrower than `--min-percent` of the busy time (default 0.05) are merged
 * away, which keeps the file small.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A frame of the graph: a call path, with the time spent on it and above it. */
interface Frame {
  readonly name: string;
  readonly source: string;
  readonly kind: Kind;
  totalUs: number;
  readonly children: Map<string, Frame>;
}

type Kind = 'own' | 'undici' | 'package' | 'node' | 'native';

const COLOURS: Readonly<Record<Kind, readonly [number, number]>> = {
  own: [20, 85], // orange: Switchyard
  undici: [200, 60], // blue
  package: [275, 45], // violet
  node: [120, 45], // green
  native: [0, 0], // grey: V8 builtins, GC, the kernel
};

function kindOf(url: string): Kind {
  if (url === '') return 'native';
  if (url.includes('/node_modules/undici/')) return 'undici';
  if (url.includes('/node_modules/')) return 'package';
  if (url.startsWith('node:')) return 'node';
  if (url.includes('/dist/') || url.includes('/src/')) return 'own';
  return 'package';
}

function sourceOf(frame: CallFrame): string {
  if (frame.url === '') return '';
  const short = frame.url
    .replace(/^file:\/\/.*?\/node_modules\//, '')
    .replace(/^file:\/\/.*?\/(dist|src)\//, '$1/');
  return `${short}:${frame.lineNumber + 1}`;
}

function buildTree(profile: CpuProfile): Frame {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const root: Frame = { name: 'all', source: '', kind: 'native', totalUs: 0, children: new Map() };
  const walk = (id: number, parent: Frame): void => {
    const node = byId.get(id);
    if (node === undefined) return;
    const { functionName } = node.callFrame;
    if (functionName === '(idle)') return;
    // The synthetic (root) node stands for nothing: its children hang from ours.
    let frame = parent;
    if (functionName !== '(root)') {
      const name = functionName === '' ? '(anonymous)' : functionName;
      const source = sourceOf(node.callFrame);
      const key = `${name} ${source}`;
      const existing = parent.children.get(key);
      frame = existing ?? {
        name,
        source,
        kind: kindOf(node.callFrame.url),
        totalUs: 0,
        children: new Map(),
      };
      if (existing === undefined) parent.children.set(key, frame);
    }
    frame.totalUs += selfUs.get(id) ?? 0;
    for (const child of node.children ?? []) walk(child, frame);
  };
  const first = profile.nodes[0];
  if (first !== undefined) walk(first.id, root);
  const total = (frame: Frame): number => {
    for (const child of frame.children.values()) frame.totalUs += total(child);
    return frame.totalUs;
  };
  // totalUs held self time until here; now each frame adds up what is above it.
  for (const child of root.children.values()) root.totalUs += total(child);
  return root;
}

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A stable colour per function, in its kind's hue, so neighbours can be told apart. */
function colour(frame: Frame): string {
  const [hue, saturation] = COLOURS[frame.kind];
  let h = 0;
  for (let i = 0; i < frame.name.length; i++) h = (h * 31 + frame.name.charCodeAt(i)) >>> 0;
  const lightness = 62 + (h % 18);
  return `hsl(${hue + (h % 16) - 8},${saturation}%,${lightness}%)`;
}

function render(root: Frame, title: string, minPercent: number): string {
  const width = 1600;
  const rowHeight = 17;
  const minUs = (root.totalUs * minPercent) / 100;
  const depthOf = (frame: Frame): number => {
    let deepest = 0;
    for (const child of frame.children.values()) {
      if (child.totalUs >= minUs) deepest = Math.max(deepest, depthOf(child) + 1);
    }
    return deepest;
  };
  const height = 60 + (depthOf(root) + 1) * rowHeight + 10;
  // A flame graph grows upwards: depth 0 (everything) is the bottom row.
  const yOf = (depth: number): number => height - 10 - (depth + 1) * rowHeight;
  const rows: string[] = [];
  const place = (frame: Frame, x: number, depth: number): void => {
    const w = (frame.totalUs / root.totalUs) * width;
    rows.push(frameSvg(frame, x, yOf(depth), w, root.totalUs));
    let cx = x;
    const children = [...frame.children.values()].sort((a, b) => b.totalUs - a.totalUs);
    for (const child of children) {
      if (child.totalUs < minUs) continue;
      place(child, cx, depth + 1);
      cx += (child.totalUs / root.totalUs) * width;
    }
  };
  place(root, 0, 0);
  const labels: Readonly<Record<Kind, string>> = {
    own: 'Switchyard (dist/)',
    undici: 'undici',
    package: 'other packages',
    node: 'Node (JavaScript)',
    native: 'V8, GC, kernel',
  };
  const legend = (Object.keys(COLOURS) as Kind[])
    .map((kind, i) => {
      const [hue, saturation] = COLOURS[kind];
      return `<rect x="${10 + i * 190}" y="28" width="12" height="12" fill="hsl(${hue},${saturation}%,70%)"/><text x="${26 + i * 190}" y="38">${labels[kind]}</text>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Verdana, sans-serif" font-size="11">
<rect width="100%" height="100%" fill="#fdfdfd"/>
<text x="10" y="18" font-size="14">${escape(title)} — busy ${(root.totalUs / 1e6).toFixed(1)} s (idle left out); hover a frame for its figures</text>
${legend}
${rows.join('\n')}
</svg>
`;
}

function frameSvg(frame: Frame, x: number, y: number, w: number, totalUs: number): string {
  const ms = frame.totalUs / 1000;
  const share = (100 * frame.totalUs) / totalUs;
  const tip = `${frame.name}${frame.source === '' ? '' : ` ${frame.source}`} — ${ms.toFixed(1)} ms, ${share.toFixed(2)} %`;
  const chars = Math.floor((w - 4) / 6.6);
  const label =
    chars < 3
      ? ''
      : `<text x="${(x + 3).toFixed(1)}" y="${y + 12.5}">${escape(
          frame.name.length > chars ? `${frame.name.slice(0, chars - 1)}…` : frame.name,
        )}</text>`;
  return `<g><title>${escape(tip)}</title><rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(w - 0.5, 0.3).toFixed(1)}" height="16" fill="${colour(frame)}"/>${label}</g>`;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    title: { type: 'string' },
    'min-percent': { type: 'string', default: '0.05' },
  },
});
const [input, output] = positionals;
if (input === undefined || output === undefined) {
  throw new Error(
    'usage: flamegraph.ts PROFILE.cpuprofile OUT.svg [--title TEXT] [--min-percent P]',
  );
}
const profile = JSON.parse(readFileSync(input, 'utf8')) as CpuProfile;
const svg = render(buildTree(profile), values.title ?? input, Number(values['min-percent']));
writeFileSync(output, svg);
console.log(`${output}: ${(svg.length / 1024).toFixed(0)} KB`);
