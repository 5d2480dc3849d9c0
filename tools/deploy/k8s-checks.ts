/**
 * Structural checks of rendered manifests: what a schema cannot see (cross-object references, selectors,
 * hook ordering, hardening, grace periods, NetworkPolicy reach) plus the basic shape of every object.
 * Each check returns problems as text; an empty list means the manifests pass.
 */
import type { RenderedDoc } from './helm.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const KNOWN_KINDS: Record<string, string[]> = {
  v1: ['ConfigMap', 'Secret', 'Service', 'ServiceAccount'],
  'apps/v1': ['Deployment'],
  'autoscaling/v2': ['HorizontalPodAutoscaler'],
  'batch/v1': ['Job'],
  'policy/v1': ['PodDisruptionBudget'],
  'networking.k8s.io/v1': ['NetworkPolicy'],
  'keda.sh/v1alpha1': ['ScaledObject', 'TriggerAuthentication'],
  'monitoring.coreos.com/v1': ['PrometheusRule'],
};

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

export interface CheckContext {
  values: Obj;
}

function matches(selector: Obj, labels: Obj): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

function hookOf(d: Obj): { phases: string[]; weight: number } | null {
  const ann = obj(obj(d['metadata'])['annotations']);
  const hook = ann['helm.sh/hook'];
  if (typeof hook !== 'string') return null;
  return { phases: hook.split(',').map((s) => s.trim()), weight: Number(ann['helm.sh/hook-weight'] ?? 0) };
}

function podSpec(d: Obj): Obj {
  return obj(obj(obj(d['spec'])['template'])['spec']);
}
function podLabels(d: Obj): Obj {
  return obj(obj(obj(obj(d['spec'])['template'])['metadata'])['labels']);
}

export function checkManifests(docs: RenderedDoc[], ctx: CheckContext): string[] {
  const problems: string[] = [];
  const v = ctx.values;
  const objects = docs.map((d) => d.object);
  const named = (kind: string) => objects.filter((o) => o['kind'] === kind);
  const id = (o: Obj) => `${String(o['kind'])}/${String(obj(o['metadata'])['name'])}`;
  const seen = new Set<string>();
  const existingSecret = String(obj(v['secrets'])['existingSecret'] ?? '');

  // ---- shape of every object
  for (const o of objects) {
    const api = String(o['apiVersion']);
    const kind = String(o['kind']);
    if (!KNOWN_KINDS[api]?.includes(kind))
      problems.push(`${id(o)}: unexpected apiVersion/kind ${api} ${kind}`);
    const md = obj(o['metadata']);
    const name = md['name'];
    if (typeof name !== 'string' || !DNS1123_SUBDOMAIN.test(name))
      problems.push(`${id(o)}: bad metadata.name`);
    if (['Service', 'Deployment'].includes(kind) && typeof name === 'string' && !DNS1123_LABEL.test(name)) {
      problems.push(`${id(o)}: name must be a DNS-1123 label (≤63 characters)`);
    }
    if (seen.has(id(o))) problems.push(`${id(o)}: rendered twice`);
    seen.add(id(o));
    for (const [k, val] of Object.entries(obj(md['labels']))) {
      if (typeof val !== 'string' || !LABEL_VALUE.test(val))
        problems.push(`${id(o)}: label ${k} has a bad value`);
    }
    for (const [k, val] of Object.entries(obj(md['annotations']))) {
      if (typeof val !== 'string') problems.push(`${id(o)}: annotation ${k} is not a string`);
    }
    if ('namespace' in md) problems.push(`${id(o)}: hard-coded namespace`);
    if (!['ConfigMap', 'Secret', 'ServiceAccount'].includes(kind) && !isObj(o['spec']))
      problems.push(`${id(o)}: no spec`);
  }

  const configMaps = new Map(named('ConfigMap').map((c) => [obj(c['metadata'])['name'] as string, c]));
  const secrets = new Map(named('Secret').map((s) => [obj(s['metadata'])['name'] as string, s]));
  const serviceAccounts = new Set(named('ServiceAccount').map((s) => obj(s['metadata'])['name']));

  for (const c of configMaps.values()) {
    for (const [k, val] of Object.entries(obj(c['data']))) {
      if (typeof val !== 'string') problems.push(`${id(c)}: data.${k} is not a string`);
    }
  }
  for (const s of secrets.values()) {
    for (const [k, val] of Object.entries(obj(s['data']))) {
      if (typeof val !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(val) || val.length % 4 !== 0) {
        problems.push(`${id(s)}: data.${k} is not base64`);
      } else if (Buffer.from(val, 'base64').length === 0) problems.push(`${id(s)}: data.${k} is empty`);
    }
  }

  // ---- workloads
  const workloads = objects.filter((o) => o['kind'] === 'Deployment' || o['kind'] === 'Job');
  for (const w of workloads) {
    const spec = podSpec(w);
    const labels = podLabels(w);
    const isJob = w['kind'] === 'Job';
    const hook = hookOf(w);
    if (w['kind'] === 'Deployment') {
      const sel = obj(obj(obj(w['spec'])['selector'])['matchLabels']);
      if (!matches(sel, labels))
        problems.push(`${id(w)}: selector.matchLabels do not match the pod template labels`);
    }
    if (spec['automountServiceAccountToken'] !== false)
      problems.push(`${id(w)}: automountServiceAccountToken not false`);
    const sa = spec['serviceAccountName'];
    if (sa !== undefined && !serviceAccounts.has(sa) && obj(v['serviceAccount'])['create'] !== false) {
      problems.push(`${id(w)}: serviceAccountName ${String(sa)} is not rendered`);
    }
    if (hook && sa !== undefined && serviceAccounts.has(sa)) {
      problems.push(
        `${id(w)}: a hook uses the chart's ServiceAccount, which does not exist yet at pre-install`,
      );
    }
    const psc = obj(spec['securityContext']);
    const grace = spec['terminationGracePeriodSeconds'];
    const volumes = new Map(arr(spec['volumes']).map((x) => [obj(x)['name'], obj(x)]));
    const containers = arr(spec['containers']).map(obj);
    if (containers.length === 0) problems.push(`${id(w)}: no containers`);
    if (isJob && !['Never', 'OnFailure'].includes(String(spec['restartPolicy']))) {
      problems.push(`${id(w)}: Job restartPolicy must be Never or OnFailure`);
    }
    // worker.netRaw: the one exception to the hardening, NET_RAW for the SYN engine (as uid 0, see the chart).
    const netRaw = labels['app.kubernetes.io/component'] === 'worker' && obj(v['worker'])['netRaw'] === true;
    for (const c of containers) {
      const cid = `${id(w)} container ${String(c['name'])}`;
      if (typeof c['image'] !== 'string' || !/^[^\s:]+(:[\w][\w.-]{0,127})?$/.test(c['image'])) {
        problems.push(`${cid}: bad image ${String(c['image'])}`);
      }
      const sc = obj(c['securityContext']);
      if (sc['readOnlyRootFilesystem'] !== true) problems.push(`${cid}: readOnlyRootFilesystem is not true`);
      if (sc['allowPrivilegeEscalation'] !== false)
        problems.push(`${cid}: allowPrivilegeEscalation is not false`);
      if (sc['privileged'] === true) problems.push(`${cid}: privileged`);
      const caps = obj(sc['capabilities']);
      if (!arr(caps['drop']).includes('ALL')) problems.push(`${cid}: capabilities.drop lacks ALL`);
      const added = arr(caps['add']).map(String).sort().join(',');
      if (added !== (netRaw ? 'NET_RAW' : ''))
        problems.push(`${cid}: adds capabilities [${added}] (${netRaw ? 'NET_RAW only' : 'none'} expected)`);
      const uid = sc['runAsUser'] ?? psc['runAsUser'];
      if (netRaw) {
        // Kubernetes grants an added capability to uid 0 only.
        if (uid !== 0 || sc['runAsNonRoot'] !== false)
          problems.push(`${cid}: NET_RAW needs runAsUser 0 and runAsNonRoot false at container level`);
      } else {
        if (sc['runAsNonRoot'] !== true && psc['runAsNonRoot'] !== true)
          problems.push(`${cid}: not runAsNonRoot`);
        if (typeof uid !== 'number' || uid === 0) problems.push(`${cid}: runAsUser must be a non-zero uid`);
      }
      const res = obj(c['resources']);
      for (const k of ['cpu', 'memory']) {
        if (obj(res['requests'])[k] === undefined) problems.push(`${cid}: no ${k} request`);
      }
      if (obj(res['limits'])['memory'] === undefined) problems.push(`${cid}: no memory limit`);
      const mounts = arr(c['volumeMounts']).map(obj);
      const tmp = mounts.find((m) => m['mountPath'] === '/tmp');
      if (!tmp || !isObj(volumes.get(tmp['name'])?.['emptyDir']))
        problems.push(`${cid}: /tmp is not a writable emptyDir`);
      for (const m of mounts)
        if (!volumes.has(m['name'])) problems.push(`${cid}: mounts unknown volume ${String(m['name'])}`);
      const portNames = new Set(arr(c['ports']).map((p) => obj(p)['name']));
      const portNumbers = new Set(arr(c['ports']).map((p) => obj(p)['containerPort']));
      const probes = ['startupProbe', 'livenessProbe', 'readinessProbe'].map((k) => [k, obj(c[k])] as const);
      if (!isJob) {
        for (const [k, p] of probes) {
          if (Object.keys(p).length === 0) {
            problems.push(`${cid}: no ${k}`);
            continue;
          }
          // Startup and liveness are the process only: a database blip must not restart every pod.
          const path = obj(p['httpGet'])['path'];
          const want = k === 'readinessProbe' ? '/health/ready' : '/health/live';
          if (path !== want) problems.push(`${cid}: ${k} path ${String(path)} is not ${want}`);
          const port = obj(p['httpGet'])['port'];
          if (!(portNames.has(port) || portNumbers.has(port)))
            problems.push(`${cid}: ${k} port ${String(port)} is not a container port`);
          const t = Number(p['timeoutSeconds'] ?? 1);
          if (t > Number(p['periodSeconds'] ?? 10))
            problems.push(`${cid}: ${k} timeout longer than its period`);
        }
        if (typeof grace !== 'number') problems.push(`${cid}: no terminationGracePeriodSeconds`);
      }
      // env references
      for (const e of arr(c['env']).map(obj)) {
        const ref = obj(obj(e['valueFrom'])['secretKeyRef']);
        if (Object.keys(ref).length === 0) continue;
        const name = String(ref['name']);
        if (name === existingSecret) continue;
        const s = secrets.get(name);
        if (!s) {
          problems.push(`${cid}: env ${String(e['name'])} references Secret ${name}, which is not rendered`);
          continue;
        }
        if (!(String(ref['key']) in obj(s['data'])) && ref['optional'] !== true) {
          problems.push(`${cid}: env ${String(e['name'])}: Secret ${name} has no key ${String(ref['key'])}`);
        }
        const sh = hookOf(s);
        if (hook && !(sh && sh.weight < hook.weight && hook.phases.every((ph) => sh.phases.includes(ph)))) {
          problems.push(`${cid}: hook reads Secret ${name}, which is not an earlier hook of the same phases`);
        }
      }
      for (const ef of arr(c['envFrom']).map(obj)) {
        const cm = obj(ef['configMapRef'])['name'];
        if (cm !== undefined && !configMaps.has(cm as string))
          problems.push(`${cid}: envFrom ConfigMap ${String(cm)} not rendered`);
        if (ef['secretRef'] !== undefined)
          problems.push(`${cid}: envFrom a whole Secret (list the keys instead)`);
      }
    }
    const component = labels['app.kubernetes.io/component'];
    // Grace period: longer than the configured in-flight deadline and every kubelet probe's timeout.
    if (!isJob && typeof grace === 'number') {
      const deadline =
        component === 'worker'
          ? Number(obj(v['worker'])['probeDeadlineSeconds'])
          : Number(obj(v['controller'])['shutdownDeadlineSeconds']);
      if (!(grace > deadline))
        problems.push(`${id(w)}: terminationGracePeriodSeconds ${grace} ≤ deadline ${deadline}`);
      if (component === 'worker') {
        const env = Object.fromEntries(
          containers.flatMap((c) => arr(c['env']).map(obj)).map((e) => [e['name'], e['value']]),
        );
        const shutdownMs = Number(env['FLEETQRY_SHUTDOWN_GRACE_MS']);
        const probeMs = Number(env['FLEETQRY_PROBE_DEADLINE_MS']);
        if (!(grace * 1000 > shutdownMs))
          problems.push(`${id(w)}: grace ${grace}s ≤ FLEETQRY_SHUTDOWN_GRACE_MS ${shutdownMs}`);
        if (!(grace * 1000 > probeMs))
          problems.push(`${id(w)}: grace ${grace}s ≤ FLEETQRY_PROBE_DEADLINE_MS ${probeMs}`);
      }
      for (const c of containers) {
        for (const k of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
          const t = Number(obj(c[k])['timeoutSeconds'] ?? 1);
          if (!(grace > t)) problems.push(`${id(w)}: grace ${grace} ≤ ${k} timeout ${t}`);
        }
      }
    }
    if (component === 'worker') {
      for (const c of containers) {
        for (const e of arr(c['env']).map(obj)) {
          if (
            ['DATABASE_URL', 'FLEETQRY_CREDENTIAL_KEY', 'FLEETQRY_ADMIN_TOKEN'].includes(String(e['name']))
          ) {
            problems.push(`${id(w)}: workers must not receive ${String(e['name'])}`);
          }
        }
      }
    }
    if (isJob) {
      if (!hook || !hook.phases.includes('pre-install') || !hook.phases.includes('pre-upgrade')) {
        problems.push(`${id(w)}: migration Job is not a pre-install,pre-upgrade hook`);
      }
      const policy = String(obj(obj(w['metadata'])['annotations'])['helm.sh/hook-delete-policy'] ?? '');
      if (!policy.includes('before-hook-creation'))
        problems.push(`${id(w)}: hook-delete-policy lacks before-hook-creation`);
    }
  }

  const deployments = named('Deployment');
  const byComponent = (c: string) =>
    deployments.find((d) => podLabels(d)['app.kubernetes.io/component'] === c);
  const controller = byComponent('controller');
  const worker = byComponent('worker');
  if (!controller) problems.push('no controller Deployment');
  if (!worker) problems.push('no worker Deployment');
  const containerPorts = (d: Obj | undefined) =>
    arr(podSpec(d ?? {})['containers']).flatMap((c) => arr(obj(c)['ports']).map(obj));

  // ---- services
  for (const s of named('Service')) {
    const sel = obj(obj(s['spec'])['selector']);
    const target = deployments.find((d) => matches(sel, podLabels(d)));
    if (!target) {
      problems.push(`${id(s)}: selector matches no pod template`);
      continue;
    }
    for (const p of arr(obj(s['spec'])['ports']).map(obj)) {
      const tp = p['targetPort'];
      if (!containerPorts(target).some((cp) => cp['name'] === tp || cp['containerPort'] === tp)) {
        problems.push(`${id(s)}: targetPort ${String(tp)} is not a port of ${id(target)}`);
      }
    }
  }

  // ---- autoscaling: a CPU HPA or a KEDA ScaledObject on the queue (which owns its own HPA), never both
  const hpas = named('HorizontalPodAutoscaler');
  const scaledObjects = named('ScaledObject');
  const autoscaling = obj(obj(v['worker'])['autoscaling']);
  for (const h of [...hpas, ...scaledObjects]) {
    const spec = obj(h['spec']);
    const ref = obj(spec['scaleTargetRef']);
    const target = deployments.find((d) => obj(d['metadata'])['name'] === ref['name']);
    if (ref['apiVersion'] !== 'apps/v1' || ref['kind'] !== 'Deployment' || !target || target !== worker) {
      problems.push(`${id(h)}: scaleTargetRef is not the worker Deployment`);
    }
    if (target && 'replicas' in obj(target['spec']))
      problems.push(`${id(target)}: sets replicas while autoscaled`);
    const [minKey, maxKey] =
      h['kind'] === 'ScaledObject' ? ['minReplicaCount', 'maxReplicaCount'] : ['minReplicas', 'maxReplicas'];
    const min = Number(spec[minKey] ?? 1);
    if (!(Number(spec[maxKey]) >= min)) problems.push(`${id(h)}: ${maxKey} < ${minKey}`);
  }
  if (hpas.length + scaledObjects.length > 1) problems.push('more than one autoscaler for the workers');
  if (autoscaling['enabled'] === true && hpas.length + scaledObjects.length !== 1)
    problems.push('autoscaling enabled but no autoscaler');
  if (autoscaling['enabled'] === true && autoscaling['scaler'] === 'keda' && scaledObjects.length !== 1)
    problems.push('scaler keda but no ScaledObject');
  const triggerAuths = new Map(
    named('TriggerAuthentication').map((t) => [obj(t['metadata'])['name'] as string, t]),
  );
  for (const so of scaledObjects) {
    const triggers = arr(obj(so['spec'])['triggers']).map(obj);
    if (triggers.length === 0) problems.push(`${id(so)}: no triggers`);
    for (const t of triggers) {
      // KEDA reads trigger metadata as strings only; a number or boolean there is refused at admission.
      for (const [k, val] of Object.entries(obj(t['metadata'])))
        if (typeof val !== 'string') problems.push(`${id(so)}: trigger metadata ${k} is not a string`);
      const md = obj(t['metadata']);
      if (t['type'] === 'redis') {
        const want = `${String(v['queuePrefix'])}:probe:wait`;
        if (md['listName'] !== want)
          problems.push(`${id(so)}: listName ${String(md['listName'])} is not ${want}`);
      } else if (t['type'] === 'prometheus') {
        if (!/\bfleetqry_queue_jobs\{[^}]*queue="probe"/.test(String(md['query'])))
          problems.push(`${id(so)}: the prometheus query does not read the probe queue's depth`);
      } else problems.push(`${id(so)}: unexpected trigger type ${String(t['type'])}`);
      const auth = obj(t['authenticationRef'])['name'];
      if (auth === undefined) continue;
      const ta = triggerAuths.get(auth as string);
      if (!ta) {
        problems.push(`${id(so)}: authenticationRef ${String(auth)} is not rendered`);
        continue;
      }
      for (const ref of arr(obj(ta['spec'])['secretTargetRef']).map(obj)) {
        const name = String(ref['name']);
        if (name === existingSecret) continue;
        if (!(String(ref['key']) in obj(secrets.get(name)?.['data'])))
          problems.push(`${id(ta)}: Secret ${name} has no key ${String(ref['key'])}`);
      }
    }
  }
  for (const h of hpas) {
    const spec = obj(h['spec']);
    const cpu = arr(spec['metrics'])
      .map(obj)
      .find((m) => m['type'] === 'Resource' && obj(m['resource'])['name'] === 'cpu');
    const target2 = obj(obj(cpu?.['resource'])['target']);
    if (target2['type'] !== 'Utilization' || typeof target2['averageUtilization'] !== 'number') {
      problems.push(`${id(h)}: no CPU utilization target`);
    }
  }

  // ---- disruption budgets: one per component that asks for it, selecting exactly that component's pods
  const pdbs = named('PodDisruptionBudget');
  for (const [component, d] of [
    ['controller', controller],
    ['worker', worker],
  ] as const) {
    const mine = pdbs.filter(
      (p) => d && matches(obj(obj(obj(p['spec'])['selector'])['matchLabels']), podLabels(d)),
    );
    const enabled = obj(obj(v[component])['pdb'])['enabled'] === true;
    if (mine.length !== (enabled ? 1 : 0))
      problems.push(`${component}: ${mine.length} PodDisruptionBudgets, expected ${enabled ? 1 : 0}`);
    for (const p of mine) {
      const spec = obj(p['spec']);
      if ('minAvailable' in spec === 'maxUnavailable' in spec)
        problems.push(`${id(p)}: set exactly one of minAvailable/maxUnavailable`);
      // The fewest pods there may be: the fixed replicas, or the autoscaler's floor.
      const autoscaled = !('replicas' in obj(d?.['spec']));
      const floor = autoscaled
        ? Number(autoscaling['minReplicas'] ?? 1)
        : Number(obj(d?.['spec'])['replicas'] ?? 1);
      if (typeof spec['minAvailable'] === 'number' && spec['minAvailable'] >= floor) {
        problems.push(
          `${id(p)}: minAvailable ${spec['minAvailable']} ≥ replicas ${floor} blocks every drain`,
        );
      }
    }
  }
  for (const p of pdbs) {
    const sel = obj(obj(obj(p['spec'])['selector'])['matchLabels']);
    if (!deployments.some((d) => matches(sel, podLabels(d))))
      problems.push(`${id(p)}: selector matches no pods`);
  }

  // ---- network policies
  const nps = named('NetworkPolicy');
  if (obj(v['networkPolicy'])['enabled'] === true) {
    const forPods = (d: Obj | undefined) =>
      nps.filter((n) => d && matches(obj(obj(obj(n['spec'])['podSelector'])['matchLabels']), podLabels(d)));
    for (const n of nps) {
      const sel = obj(obj(obj(n['spec'])['podSelector'])['matchLabels']);
      if (!deployments.some((d) => matches(sel, podLabels(d))))
        problems.push(`${id(n)}: podSelector matches no pods`);
    }
    const cnp = forPods(controller);
    const ctrlPort = containerPorts(controller)[0]?.['containerPort'];
    if (cnp.length !== 1) problems.push('controller: expected exactly one NetworkPolicy');
    for (const n of cnp) {
      const ingress = arr(obj(n['spec'])['ingress']).map(obj);
      const ports = ingress.flatMap((r) => arr(r['ports']).map((p) => obj(p)['port']));
      if (
        ingress.length === 0 ||
        ports.some((p) => p !== ctrlPort) ||
        ingress.some((r) => arr(r['ports']).length === 0)
      ) {
        problems.push(`${id(n)}: ingress must be on the controller port ${String(ctrlPort)} only`);
      }
    }
    const wnp = forPods(worker);
    if (wnp.length !== 1) problems.push('worker: expected exactly one NetworkPolicy');
    for (const n of wnp) {
      const spec = obj(n['spec']);
      if (!arr(spec['policyTypes']).includes('Egress'))
        problems.push(`${id(n)}: worker egress is not restricted`);
      const egress = arr(spec['egress']).map(obj);
      const cidrs: string[] = [];
      let dns = false;
      let redis = false;
      let ctrl = false;
      for (const r of egress) {
        const to = arr(r['to']).map(obj);
        if (to.length === 0) {
          problems.push(`${id(n)}: an egress rule without "to" allows every destination`);
          continue;
        }
        const ports = arr(r['ports']).map(obj);
        const blocks = to.filter((t) => isObj(t['ipBlock']));
        if (blocks.length === to.length && ports.length === 0) {
          for (const b of blocks) {
            const ib = obj(b['ipBlock']);
            cidrs.push(String(ib['cidr']));
            if (/^(0\.0\.0\.0|::)\/0$/.test(String(ib['cidr'])))
              problems.push(`${id(n)}: scan egress to everywhere`);
          }
          continue;
        }
        const portSet = ports
          .map((p) => `${String(p['port'])}/${String(p['protocol'] ?? 'TCP')}`)
          .sort()
          .join(',');
        if (ports.length === 0) {
          problems.push(`${id(n)}: an egress rule to peers without ports`);
          continue;
        }
        const toController =
          controller &&
          to.some((t) => matches(obj(obj(t['podSelector'])['matchLabels']), podLabels(controller)));
        if (portSet === '53/TCP,53/UDP') dns = true;
        else if (toController && portSet === `${String(ctrlPort)}/TCP`) ctrl = true;
        else if (portSet === `${String(obj(obj(v['networkPolicy'])['redis'])['port'])}/TCP`) redis = true;
        else problems.push(`${id(n)}: unexpected egress rule ${portSet}`);
      }
      if (!dns) problems.push(`${id(n)}: no DNS egress`);
      if (!redis) problems.push(`${id(n)}: no Redis egress`);
      if (!ctrl) problems.push(`${id(n)}: no egress to the controller port`);
      const allow = arr(obj(v['scope'])['allow']).map(String);
      if (cidrs.slice().sort().join(',') !== allow.slice().sort().join(',')) {
        problems.push(
          `${id(n)}: scan egress CIDRs [${cidrs.join(', ')}] differ from scope.allow [${allow.join(', ')}]`,
        );
      }
      const wPorts = containerPorts(worker).map((p) => p['containerPort']);
      for (const r of arr(spec['ingress']).map(obj)) {
        const ps = arr(r['ports']).map((p) => obj(p)['port']);
        if (ps.length === 0 || ps.some((p) => !wPorts.includes(p)))
          problems.push(`${id(n)}: worker ingress beyond its port`);
      }
    }
  }

  // ---- ConfigMap agrees with the values (scope, ports)
  // The apps' ConfigMap: the one the controller takes its environment from (others, e.g. a dashboard, aside).
  const cfgName = arr(podSpec(controller ?? {})['containers'])
    .flatMap((c) => arr(obj(c)['envFrom']).map((e) => obj(obj(e)['configMapRef'])['name']))
    .find((n) => typeof n === 'string');
  const cfg = configMaps.get(String(cfgName));
  if (cfg) {
    const data = obj(cfg['data']);
    const scope = obj(v['scope']);
    if (data['FLEETQRY_SCOPE_ALLOW'] !== arr(scope['allow']).join(','))
      problems.push('ConfigMap: FLEETQRY_SCOPE_ALLOW differs from scope.allow');
    // The KEDA Redis trigger's list name is built from the same value.
    if (data['FLEETQRY_QUEUE_PREFIX'] !== v['queuePrefix'])
      problems.push('ConfigMap: FLEETQRY_QUEUE_PREFIX differs from queuePrefix');
    if (String(data['FLEETQRY_PORT']) !== String(containerPorts(controller)[0]?.['containerPort'])) {
      problems.push('ConfigMap: FLEETQRY_PORT differs from the controller container port');
    }
    if (String(data['FLEETQRY_WORKER_PORT']) !== String(containerPorts(worker)[0]?.['containerPort'])) {
      problems.push('ConfigMap: FLEETQRY_WORKER_PORT differs from the worker container port');
    }
  } else problems.push('no ConfigMap');
  return problems;
}
