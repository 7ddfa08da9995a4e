/** What detection reports: one `Detection` per label per camera event. */

export interface FaceVerdict {
  /** The enrolled person, or `unknown`. */
  name: string;
  known: boolean;
  /** Best cosine similarity (to that person, or to the nearest one when unknown). */
  similarity: number;
}

export interface Detection {
  camera: string;
  /** The camera event this run answered (or the job / image run's own id). */
  eventId: string;
  /** COCO label (`person`, `car`, `dog`, ...) or `face` for a face with no person box around it. */
  label: string;
  score: number;
  /** [x, y, width, height] in 0..1 of the picture. */
  box: [number, number, number, number];
  /** The configured zone it is in; absent when the camera has no zones. */
  zone?: string;
  face?: FaceVerdict;
  /** The annotated JPEG of its best frame. */
  snapshot?: string;
  description?: string;
  /** When the best frame was taken, ISO 8601. */
  at: string;
}

/** A picture to run on: a snapshot taken at `at`. */
export interface DetectFrame {
  jpeg: Uint8Array;
  at: Date;
}

/** COCO-80 labels, as centernet reports them. */
export const COCO_LABELS: readonly string[] = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light', 'fire hydrant', 'stop sign',
  'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella',
  'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard',
  'surfboard', 'tennis racket', 'bottle', 'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed', 'dining table', 'toilet', 'tv',
  'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven', 'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase',
  'scissors', 'teddy bear', 'hair drier', 'toothbrush',
];

/** Group names a camera's label filter may use besides COCO labels. */
export const LABEL_GROUPS: Readonly<Record<string, readonly string[]>> = {
  vehicle: ['bicycle', 'car', 'motorcycle', 'bus', 'truck', 'boat'],
  animal: ['bird', 'cat', 'dog', 'horse', 'sheep', 'cow', 'bear'],
};

/** The COCO labels a filter means (groups expanded); `*` or `all` means every label. */
export function expandLabels(labels: readonly string[]): Set<string> | 'all' {
  if (labels.includes('*') || labels.includes('all')) return 'all';
  const out = new Set<string>();
  for (const label of labels) for (const l of LABEL_GROUPS[label] ?? [label]) out.add(l);
  return out;
}

/** `vehicle`, `animal` or the label itself (`person`, `face`, ...): the event type a front-end shows. */
export function labelGroup(label: string): string {
  for (const [group, labels] of Object.entries(LABEL_GROUPS)) if (labels.includes(label)) return group;
  return label;
}
