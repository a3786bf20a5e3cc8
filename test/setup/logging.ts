import { configureLogging } from '../../src/log';
import { testLogging } from '../helpers/logging';

// Every test file logs (debug level) into the run's scanned log folder; see test/helpers/logging.ts.
configureLogging(testLogging());
