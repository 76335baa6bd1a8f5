// Every built-in step registers itself on import; the workflow graph imports this module once.
import './discover.ts';
import './pii.ts';
import './subset.ts';
import './mask.ts';
import './fusion.ts';
import './synthetic.ts';
import './quality.ts';
import './provision.ts';
