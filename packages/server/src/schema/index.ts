import { builder } from '../builder.ts';
import './scalars.ts';
import './errors.ts';
import './catalog.ts';
import './connection.ts';

builder.queryType({});
builder.mutationType({});

export const schema = builder.toSchema({ sortSchema: true });
