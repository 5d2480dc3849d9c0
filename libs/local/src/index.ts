export { readLocalSnapshot, type LocalReadOptions } from './snapshot.js';
export { portStatistics, type PortStatistics } from './statistics.js';
export { portHolders, type PortHolder } from './holders.js';
export {
  socketKey,
  watchLocal,
  WatchDiffer,
  type WatchOptions,
  type WatchTarget,
  type WatchTick,
} from './watch.js';
export { nodeFs, type LocalFs } from './local-fs.js';
export { decodeEndpoint, formatIpv6, parseSocketTable, tcpStateName, type RawSocket } from './proc-net.js';
export { parseCgroup, type CgroupPlacement } from './cgroup.js';
export { parseMaps } from './maps.js';
export { parsePasswd } from './passwd.js';
