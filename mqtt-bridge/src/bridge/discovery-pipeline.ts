/**
 * Discovery of what the pipeline adds: a camera's detection entities and the bridge device's job
 * sensors. Pure tables, like discovery.ts, which merges them into the devices.
 */
import type { Component } from './discovery.js';
import type { CameraTopics } from './topics.js';

/** Labels a detection event may carry: the configured ones, and `face` for a named face. */
export function detectionEventTypes(labels: readonly string[]): string[] {
  return [...new Set([...labels, 'face'])];
}

/** The Detection event, one binary_sensor per label, the last annotated picture and the last face. */
export function detectionComponents(prefix: string, cameraId: string, labels: readonly string[], t: CameraTopics): Record<string, Component> {
  const cmps: Record<string, Component> = {
    detection: {
      p: 'event',
      name: 'Detection',
      state_topic: t.detection,
      event_types: detectionEventTypes(labels),
      unique_id: `${prefix}_${cameraId}_detection`,
    },
    detection_image: {
      p: 'image',
      name: 'Last detection',
      image_topic: t.detectionImage,
      content_type: 'image/jpeg',
      unique_id: `${prefix}_${cameraId}_detection_image`,
    },
    face: { p: 'sensor', name: 'Last recognized face', state_topic: t.face, unique_id: `${prefix}_${cameraId}_face` },
    // Type a name: the face in the camera's picture now is enrolled under it.
    face_enroll: { p: 'text', name: 'Enrol face', command_topic: t.faceEnrollSet, min: 1, max: 64, mode: 'text', entity_category: 'config', unique_id: `${prefix}_${cameraId}_face_enroll` },
  };
  for (const label of labels) {
    const key = `detected_${label.replace(/[^a-z0-9_]+/gi, '_')}`;
    cmps[key] = {
      p: 'binary_sensor',
      name: label.charAt(0).toUpperCase() + label.slice(1),
      device_class: 'occupancy',
      state_topic: t.detected(label),
      payload_on: 'ON',
      payload_off: 'OFF',
      unique_id: `${prefix}_${cameraId}_${key}`,
    };
  }
  return cmps;
}

/** The pipeline's sensors on the bridge device, all read from the one JSON state topic. */
export function pipelineComponents(id: string, jobsTopic: string, availability: readonly { topic: string }[]): Record<string, Component> {
  const sensor = (key: string, field: string, name: string, extra: Record<string, unknown>): Component => ({
    p: 'sensor',
    name,
    state_topic: jobsTopic,
    value_template: `{{ value_json.${field} }}`,
    availability,
    unique_id: `${id}_${key}`,
    ...extra,
  });
  return {
    jobs_queued: sensor('jobs_queued', 'queued', 'Jobs queued', { state_class: 'measurement' }),
    // The running jobs with their progress are its attributes, for a card or an automation.
    jobs_running: sensor('jobs_running', 'running_count', 'Jobs running', {
      state_class: 'measurement',
      json_attributes_topic: jobsTopic,
      json_attributes_template: '{{ {"jobs": value_json.running} | tojson }}',
    }),
    jobs_failed: sensor('jobs_failed', 'failed', 'Jobs failed', { state_class: 'measurement' }),
    detect_fps: sensor('detect_fps', 'detect_fps', 'Detection frames per second', { state_class: 'measurement', unit_of_measurement: 'fps', entity_category: 'diagnostic' }),
    loop_delay: sensor('loop_delay', 'loop_delay_ms', 'Event-loop delay', {
      state_class: 'measurement',
      device_class: 'duration',
      unit_of_measurement: 'ms',
      entity_category: 'diagnostic',
    }),
  };
}
