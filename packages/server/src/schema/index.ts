import { builder } from '../builder.ts';
import './scalars.ts';
import './errors.ts';
import './catalog.ts';
import './connection.ts';
import './job.ts';
import './lineage.ts';
import './audit.ts';
import './dataset.ts';
import './environment.ts';
import './evolution.ts';
import './auth.ts';
import './decision.ts';
import './pii.ts';
import './synthetic.ts';
import './dashboard.ts';
import './quality.ts';
import './fusion.ts';

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

export const schema = builder.toSchema({ sortSchema: true });
