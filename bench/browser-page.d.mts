import type { Server } from 'node:http';

export declare function bundleBenchPage(entry: string, dir: string, title: string): Promise<void>;
export declare function serveDirectory(dir: string): Promise<{ server: Server; url: string }>;
