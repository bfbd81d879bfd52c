import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppInfo, ComputeDeviceInfo, CorrespondApi } from './api/contract.ts';
import { ApiDispatcher } from './api/dispatcher.ts';
import { availableParallelism } from 'node:os';
import { describeComputeDevice, OnnxSessionPool } from './models/onnxRuntime.ts';
import { ProjectAnnotationsService } from './services/annotationsService.ts';
import { ProjectHistoryService } from './services/historyService.ts';
import { ProjectInteractiveService } from './services/interactiveService.ts';
import { ProjectObjectsService } from './services/objectsService.ts';
import { ProjectVocabulariesService } from './services/vocabulariesService.ts';
import { ProjectPropagationService } from './services/propagationService.ts';
import { RegistryModelsService } from './services/modelsService.ts';
import { ProjectTrainingService } from './services/trainingService.ts';
import type { TrainingConfig } from './training/trainingProtocol.ts';
import { defaultModelRegistryDirectory } from './models/checkpoints/modelRegistry.ts';
import { DefaultAppService } from './services/appService.ts';
import { ProjectClipsService } from './services/clipsService.ts';
import { ProjectExchangeService } from './services/exchangeService.ts';
import { LocalFilesService } from './services/filesService.ts';
import { LibraryProjectsService } from './services/projectsService.ts';
import { ProjectLibrary } from './store/projectLibrary.ts';
import type { StoreOptions } from './store/types.ts';
import { readShippedFcDescription, shippedFcInitialWeights } from './models/shippedModels.ts';
import type { FcArchitecture } from './training/trainingProtocol.ts';

export interface ServicesOptions {
  libraryDirectory: string;
  host: AppInfo['host'];
  /** The app's root folder (holds package.json and resources/). */
  appRoot: string;
  storeOptions?: StoreOptions;
  /** Imported models (default: $CORRESPOND_HOME/models or ~/.local/share/correspond/models). */
  modelRegistryDirectory?: string;
  /** Overrides of the training worker's configuration (tests: tiny runs). */
  trainingConfig?: Partial<TrainingConfig>;
  /** Overrides the compute device probe (tests). */
  describeComputeDevice?: () => ComputeDeviceInfo;
}

export interface Services {
  api: CorrespondApi;
  dispatcher: ApiDispatcher;
  dispose(): void;
}

/** The composition root (house rule 3): the one place that binds service implementations to the contract. */
export function createServices(options: ServicesOptions): Services {
  const version = (JSON.parse(readFileSync(join(options.appRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const library = new ProjectLibrary(options.libraryDirectory, options.storeOptions);
  const clips = new ProjectClipsService(library);
  const pool = new OnnxSessionPool({ threads: availableParallelism() });
  const registryDirectory = options.modelRegistryDirectory ?? defaultModelRegistryDirectory();
  const propagation = new ProjectPropagationService({ library, pool, appRoot: options.appRoot, threads: availableParallelism(), registryDirectory });
  const initFrom = shippedFcInitialWeights(options.appRoot);
  const training = new ProjectTrainingService({
    library, pool, registryDirectory,
    onModelExported: () => propagation.forgetStreams(),
    initFrom,
    architecture: initFrom ? (readShippedFcDescription(options.appRoot).architecture as FcArchitecture) : 'resnet18',
    speedFile: join(dirname(registryDirectory), 'training-speed.json'),
    benchmarkFile: join(options.appRoot, 'benchmarks', 'training.json'),
    predictMasks: (args, signal) => propagation.predictObjectMasks(args, signal),
    config: options.trainingConfig,
  });
  const annotations = new ProjectAnnotationsService(library);
  const api: CorrespondApi = {
    app: new DefaultAppService({
      version,
      host: options.host,
      libraryDirectory: options.libraryDirectory,
      describeComputeDevice: options.describeComputeDevice ?? describeComputeDevice,
    }),
    projects: new LibraryProjectsService(library, (projectId) => clips.closeProject(projectId)),
    clips,
    objects: new ProjectObjectsService(library),
    annotations,
    interactive: new ProjectInteractiveService({
      library, annotations, frameFeatures: (projectId, clip, frameIndex) => propagation.frameFeatures(projectId, clip, frameIndex),
    }),
    propagation,
    history: new ProjectHistoryService(library),
    vocabularies: new ProjectVocabulariesService(library),
    models: new RegistryModelsService({ registryDirectory, appRoot: options.appRoot, pool }),
    training,
    files: new LocalFilesService(),
    exchange: new ProjectExchangeService(library),
  };
  return {
    api,
    dispatcher: new ApiDispatcher(api),
    dispose() {
      void training.dispose();
      clips.dispose();
      void propagation.dispose();
      void pool.release();
      library.close();
    },
  };
}
