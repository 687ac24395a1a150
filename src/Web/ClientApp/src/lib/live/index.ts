// Live figures over the page's one SignalR connection: import from here, not from the files.
export * from './connection';
export * from './liveTiles';
export * from './sharedHub';
