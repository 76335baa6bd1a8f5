export declare const ENGINE_GLIBC_TUNABLES: string;
export declare function onGlibc(): boolean;
export declare function lacksEngineTunables(env?: NodeJS.ProcessEnv): boolean;
export declare function engineEnvironment(env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
