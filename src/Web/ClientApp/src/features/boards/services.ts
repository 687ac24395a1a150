// What the dashboard pages talk to, swappable in tests.
import { createContext, useContext } from 'react';
import { pageHub, type HubConnectionLike } from '../../lib/live';
import { boardsApi, type BoardsApi } from './api';

export interface BoardsServices {
  api: BoardsApi;
  createConnection: () => HubConnectionLike;
  /** Milliseconds until a save is sent after the last change: drags and typing coalesce into one PUT. */
  saveDelayMs: number;
}

export const defaultBoardsServices: BoardsServices = {
  api: boardsApi,
  // A lease on the page's one connection, shared with the toast host.
  createConnection: () => pageHub().lease(),
  saveDelayMs: 500,
};

export const BoardsServicesContext = createContext<BoardsServices>(defaultBoardsServices);

export function useBoardsServices(): BoardsServices {
  return useContext(BoardsServicesContext);
}
