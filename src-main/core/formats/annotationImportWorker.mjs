// Bootstrap of the annotation import worker in development: workers do not inherit tsx's loader, so register it
// here and then load the TypeScript worker module.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./annotationImportWorker.ts', import.meta.url).href);
