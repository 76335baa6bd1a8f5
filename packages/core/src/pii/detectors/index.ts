/** Imports every detector so each registers itself; import this once before `detectors()`. */
import './name-rules.ts';
import './value-rules.ts';
import './context.ts';
import './free-text.ts';
import './documents.ts';
import './attributes.ts';
import './llm.ts';
