// Every built-in step registers itself on import; the workflow graph imports this module once.
import './discover.ts';
import './subset.ts';
import './provision.ts';
