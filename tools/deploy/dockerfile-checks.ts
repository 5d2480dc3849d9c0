/**
 * A structural lint of the app Dockerfiles (hadolint is not packaged for Debian bookworm, and no Docker
 * engine is available here to build them): instructions are parsed (continuations joined, comments dropped)
 * and the rules the project sets for its images are checked.
 */
interface Instruction {
  op: string;
  args: string;
  line: number;
}

function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  let buf = '';
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (!buf && (/^\s*#/.test(raw) || !raw.trim())) continue;
    if (buf && /^\s*#/.test(raw)) continue;
    if (!buf) start = i + 1;
    if (/\\\s*$/.test(raw)) {
      buf += raw.replace(/\\\s*$/, ' ');
      continue;
    }
    buf += raw;
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(buf);
    if (!m) throw new Error(`line ${start}: cannot parse "${buf.trim()}"`);
    out.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
    buf = '';
  }
  if (buf) throw new Error('dangling line continuation at end of file');
  return out;
}

const KNOWN = new Set([
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
]);
const SECRETISH = /(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|DATABASE_URL|REDIS_URL|_KEY)\b/i;

export function checkDockerfile(text: string, app: 'controller' | 'worker'): string[] {
  const problems: string[] = [];
  const ins = parseDockerfile(text);
  for (const i of ins) if (!KNOWN.has(i.op)) problems.push(`line ${i.line}: unknown instruction ${i.op}`);
  const froms = ins.filter((i) => i.op === 'FROM');
  if (froms.length < 2) problems.push('not multi-stage');
  for (const f of froms) {
    if (!/^(--platform=\S+\s+)?node:20-bookworm-slim(@sha256:[0-9a-f]{64})?(\s+AS\s+\w+)?$/i.test(f.args)) {
      problems.push(`line ${f.line}: base image must be node:20-bookworm-slim (${f.args})`);
    }
  }
  const stages: Instruction[][] = [];
  for (const i of ins) {
    if (i.op === 'FROM') stages.push([]);
    stages[stages.length - 1]?.push(i);
  }
  const build = stages[0] ?? [];
  const runtime = stages[stages.length - 1] ?? [];
  const runs = (s: Instruction[]) =>
    s
      .filter((i) => i.op === 'RUN')
      .map((i) => i.args)
      .join(' && ');
  if (!/\bnpm ci\b/.test(runs(build))) problems.push('build stage does not run npm ci');
  if (!/\bnpm run build\b/.test(runs(build))) problems.push('build stage does not build');
  if (!new RegExp(`tsc -b apps/${app}/`).test(runs(build)))
    problems.push(`build stage does not build apps/${app}`);
  if (!/\bnpm ci\b[^&]*--omit=dev/.test(runs(runtime)))
    problems.push('runtime stage does not install production deps only');
  if (/\bnpm (i|install)\b/.test(runs(build) + runs(runtime))) problems.push('npm install instead of npm ci');
  const copies = runtime.filter((i) => i.op === 'COPY');
  if (!copies.some((c) => /--from=build\b/.test(c.args)))
    problems.push('runtime stage copies nothing from the build stage');
  if (copies.some((c) => !/--from=/.test(c.args)))
    problems.push('runtime stage copies from the build context (sources, secrets?)');
  const users = runtime.filter((i) => i.op === 'USER');
  const lastUser = users[users.length - 1]?.args ?? 'root';
  if (/^(root|0)(:|$)/.test(lastUser)) problems.push('runs as root');
  if (!/^[1-9][0-9]*(:[0-9]+)?$/.test(lastUser))
    problems.push('USER must be numeric (runAsNonRoot verifies uids only)');
  const userIdx = runtime.findIndex((i) => i.op === 'USER');
  if (runtime.slice(userIdx + 1).some((i) => i.op === 'USER' && /^(root|0)/.test(i.args)))
    problems.push('switches back to root');
  if (!runtime.some((i) => i.op === 'HEALTHCHECK' && /\/health/.test(i.args)))
    problems.push('no HEALTHCHECK on /health');
  if (!runtime.some((i) => i.op === 'STOPSIGNAL' && i.args === 'SIGTERM'))
    problems.push('no STOPSIGNAL SIGTERM');
  const cmd = runtime.filter((i) => i.op === 'CMD' || i.op === 'ENTRYPOINT').pop();
  if (!cmd || !cmd.args.startsWith('[')) problems.push('CMD must be in exec form (signals reach node)');
  else if (!cmd.args.includes(`apps/${app}/dist/main.js`))
    problems.push(`CMD does not start apps/${app}/dist/main.js`);
  for (const i of ins) {
    if ((i.op === 'ENV' || i.op === 'ARG') && SECRETISH.test(i.args))
      problems.push(`line ${i.line}: secret-like ${i.op} baked in: ${i.args}`);
    if (i.op === 'ADD') problems.push(`line ${i.line}: use COPY, not ADD`);
    if (i.op === 'FROM' && /:latest\b/.test(i.args)) problems.push(`line ${i.line}: latest tag`);
  }
  if (app === 'controller' && !/prisma\/migrations/.test(runs(build)))
    problems.push('prisma/migrations are not staged for the runtime');
  if (app === 'worker') {
    // The image carries the native SYN engine: its build must not fall back silently, and the addon must
    // reach the runtime stage where libs/probe-native's loader looks for it.
    const env = build.filter((i) => i.op === 'ENV' || i.op === 'ARG').map((i) => i.args);
    if (
      !env.some((e) => /\bFLEETQRY_NATIVE=require\b/.test(e)) &&
      !/FLEETQRY_NATIVE=require/.test(runs(build))
    )
      problems.push(
        'the build stage does not set FLEETQRY_NATIVE=require (a failed SYN engine build would pass)',
      );
    if (
      !/cp \S*libs\/probe-native\/build\/Release\/fleetqry_probe_native\.node \/out\/libs\/probe-native\/build\/Release\/?(\s|$)/.test(
        runs(build),
      )
    )
      problems.push('the SYN engine addon is not staged into libs/probe-native/build/Release');
  }
  return problems;
}

export function checkDockerignore(text: string): string[] {
  const lines = text.split('\n').map((l) => l.trim());
  const problems: string[] = [];
  // secrets: compose's secret files; libs/probe-native/build: the host's compiled addon (the image compiles its own).
  for (const must of [
    '**/node_modules',
    '.git',
    '**/.env',
    'secrets',
    '**/dist',
    'libs/probe-native/build',
  ]) {
    if (!lines.includes(must)) problems.push(`.dockerignore lacks ${must}`);
  }
  for (const keep of ['prisma', 'libs', 'apps', 'package.json', 'package-lock.json']) {
    if (lines.includes(keep)) problems.push(`.dockerignore excludes ${keep}, which the build needs`);
  }
  return problems;
}
