/**
 * The device-info reply (cmdId 512) as the captured camera sends it (identifiers replaced, as in
 * shared/reference/trailcam-artemis.md). About 2.3 kB of JSON: four DRWs, like the capture.
 */
export function deviceInfoJson(): Record<string, unknown> {
  const vertices: Record<string, number> = {};
  for (let i = 0; i < 4; i++) {
    vertices[`detectionAreaVertex${i}X`] = 0;
    vertices[`detectionAreaVertex${i}Y`] = 0;
  }
  const langs = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pl', 'pt', 'ru', 'ja', 'ko', 'zh'];
  return {
    devId: 'AA:BB:CC:DD:EE:FF', fwVerName: '2.3.0.4', fwVerCode: 2304, bleVerName: '3.3.5', bleVerCode: 335,
    modelName: 'KJK230', subModelName: 'KJKD', productId: 115, customName: 'TrailCam', cameraNameOnOff: 0,
    cameraName: '0000', longitude: '', latitude: '', pwrFreq: 0, infraRedLum: 3, timeUTC: Math.floor(Date.now() / 1000),
    timeZoneOffset: 0, timeDst: 0, screenType: 7, wifiSocType: 5, osdInfoEnable: true, WiFiLedEnable: true,
    batPercent: 20, emergencyBatPercent: 0, batType: 1, curBatType: 1, isCharging: false, isSolarCharging: false,
    temperature: 19, workMode: 0, timelapseInterval: 3600, shootMode: 0, picResolution: 100, videoResolution: 100,
    continuousShootCnt: 1, recordDuration: 10, recordAudio: 1, dateFormat: 1, timeFormat: 0, languageCode: 'de',
    workTimeOnOff: 0, workTimeStartHour: 0, workTimeStartMin: 0, workTimeEndHour: 23, workTimeEndMin: 59,
    pirSens: 1, pirCoolingTime: 10, sidePirOnOff: 1, enableAiFilter: 0, ...vertices,
    secureCodeOnOff: 0, secureCode0: 0, secureCode1: 0, secureCode2: 0, secureCode3: 0, defaultMicVolume: 80,
    defaultSpkVolume: 80, sdTotalMB: 30196, sdFreeMB: 30034, recordMode: 0, sdCardFormatErr: 0, spkVol: 80,
    micVol: 80, lum: 0,
    capability: {
      platform: 'T23ZN',
      languages: langs.map((langCode) => ({ langCode })),
      imgResolutions: Array.from({ length: 10 }, (_, i) => ({ resolution: 100 + i })),
      videoResolutions: Array.from({ length: 7 }, (_, i) => ({ resolution: 100 + i })),
      enableAiFilter: true, supportSidePir: false, dispDetailVideoResolution: false, supportScreen: true,
      supportLockScreen: true, supportMicVolume: true, supportSpkVolume: true, supportOsdInfo: true,
      supportWiFiLED: true, supportInfraRed: true, supportAutoInfraRed: false, supportOnlineService: true,
    },
    errorMsg: 'Success', result: 0, cmdId: 512,
  };
}
