export { readLocalSnapshot, type LocalReadOptions } from './snapshot.js';
export { portStatistics } from './statistics.js';
export { portHolders, type PortHolder } from './holders.js';
export { watchLocal, type WatchTarget } from './watch.js';
