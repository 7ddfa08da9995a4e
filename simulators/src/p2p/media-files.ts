/**
 * The full-size files the simulated TrailCam serves for cmdId 1285. Photos: a real JPEG (the
 * thumbnail's 64x48 picture) grown to a photo's size with COM segments of pseudo-random bytes, so
 * every photo has its own bytes, its own size (40-70 kB) and still decodes. Videos: a real H.264 MP4
 * (2 s, 160x120, made by ffmpeg from its testsrc pattern: `ffmpeg -f lavfi -i
 * testsrc=size=160x120:rate=5 -t 2 -c:v libx264 -preset veryslow -crf 40 -pix_fmt yuv420p -movflags
 * +faststart`; a generated pattern, no one's work), with the file's number in a trailing free box.
 */
import { thumbnailJpeg } from './jpeg.js';

const VIDEO_MP4 = Buffer.from(
  'AAAAIGZ0eXBpc29tAAACAGlzb21pc28yYXZjMW1wNDEAAAOObW9vdgAAAGxtdmhkAAAAAAAAAAAAAAAAAAAD6AAAB9AAAQAAAQAAAAAAAAAAAAAAAAEAAAAA' +
  'AAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAArh0cmFrAAAAXHRraGQAAAADAAAAAAAAAAAAAAAB' +
  'AAAAAAAAB9AAAAAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAABAAAAAAKAAAAB4AAAAAAAkZWR0cwAAABxlbHN0AAAAAAAA' +
  'AAEAAAfQAAAQAAABAAAAAAIwbWRpYQAAACBtZGhkAAAAAAAAAAAAAAAAAAAoAAAAUABVxAAAAAAALWhkbHIAAAAAAAAAAHZpZGUAAAAAAAAAAAAAAABWaWRl' +
  'b0hhbmRsZXIAAAAB221pbmYAAAAUdm1oZAAAAAEAAAAAAAAAAAAAACRkaW5mAAAAHGRyZWYAAAAAAAAAAQAAAAx1cmwgAAAAAQAAAZtzdGJsAAAAw3N0c2QA' +
  'AAAAAAAAAQAAALNhdmMxAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAAAKAAeABIAAAASAAAAAAAAAABFUxhdmM1OS4zNy4xMDAgbGlieDI2NAAAAAAAAAAAAAAA' +
  'GP//AAAAOWF2Y0MBZAAM/+EAG2dkAAyscgRChH5cBEAAAAMAQAAAAwKDxQphGAEAB2joQ4OSyLD9+PgAAAAAEHBhc3AAAAABAAAAAQAAABRidHJ0AAAAAAAA' +
  'K2AAACtgAAAAGHN0dHMAAAAAAAAAAQAAAAoAAAgAAAAAFHN0c3MAAAAAAAAAAQAAAAEAAAA4Y3R0cwAAAAAAAAAFAAAABgAAEAAAAAABAAAoAAAAAAEAABAA' +
  'AAAAAQAAAAAAAAABAAAIAAAAABxzdHNjAAAAAAAAAAEAAAABAAAACgAAAAEAAAA8c3RzegAAAAAAAAAAAAAACgAABoUAAACCAAAAmQAAAIwAAACPAAAArQAA' +
  'AQIAAAA+AAAAHAAAABQAAAAUc3RjbwAAAAAAAAABAAADvgAAAGJ1ZHRhAAAAWm1ldGEAAAAAAAAAIWhkbHIAAAAAAAAAAG1kaXJhcHBsAAAAAAAAAAAAAAAA' +
  'LWlsc3QAAAAlqXRvbwAAAB1kYXRhAAAAAQAAAABMYXZmNTkuMjcuMTAwAAAACGZyZWUAAArgbWRhdAAAAq8GBf//q9xF6b3m2Ui3lizYINkj7u94MjY0IC0g' +
  'Y29yZSAxNjQgcjMwOTUgYmFlZTQwMCAtIEguMjY0L01QRUctNCBBVkMgY29kZWMgLSBDb3B5bGVmdCAyMDAzLTIwMjIgLSBodHRwOi8vd3d3LnZpZGVvbGFu' +
  'Lm9yZy94MjY0Lmh0bWwgLSBvcHRpb25zOiBjYWJhYz0xIHJlZj0xNiBkZWJsb2NrPTE6MDowIGFuYWx5c2U9MHgzOjB4MTMzIG1lPXVtaCBzdWJtZT0xMCBw' +
  'c3k9MSBwc3lfcmQ9MS4wMDowLjAwIG1peGVkX3JlZj0xIG1lX3JhbmdlPTI0IGNocm9tYV9tZT0xIHRyZWxsaXM9MiA4eDhkY3Q9MSBjcW09MCBkZWFkem9u' +
  'ZT0yMSwxMSBmYXN0X3Bza2lwPTEgY2hyb21hX3FwX29mZnNldD0tMiB0aHJlYWRzPTMgbG9va2FoZWFkX3RocmVhZHM9MSBzbGljZWRfdGhyZWFkcz0wIG5y' +
  'PTAgZGVjaW1hdGU9MSBpbnRlcmxhY2VkPTAgYmx1cmF5X2NvbXBhdD0wIGNvbnN0cmFpbmVkX2ludHJhPTAgYmZyYW1lcz04IGJfcHlyYW1pZD0yIGJfYWRh' +
  'cHQ9MiBiX2JpYXM9MCBkaXJlY3Q9MyB3ZWlnaHRiPTEgb3Blbl9nb3A9MCB3ZWlnaHRwPTIga2V5aW50PTI1MCBrZXlpbnRfbWluPTUgc2NlbmVjdXQ9NDAg' +
  'aW50cmFfcmVmcmVzaD0wIHJjX2xvb2thaGVhZD02MCByYz1jcmYgbWJ0cmVlPTEgY3JmPTQwLjAgcWNvbXA9MC42MCBxcG1pbj0wIHFwbWF4PTY5IHFwc3Rl' +
  'cD00IGlwX3JhdGlvPTEuNDAgYXE9MToxLjAwAIAAAAPOZYiBAAJf/t4jwKYeB/tJuAEKDqxXfPbXaquc0j6m/rDdCHRNNbY71Ap4TVymf/ObGmU0Bs/x3tI0' +
  'JIfKG72BGOxgKRNXDX3kJVUxPyGxAO0doMm4zPRdBXy1TSf+H246KYITFioWjJ9KxGSyG5rQi7rwuDZjTUwGP0Hwp8ntxlShTqrVS42fRt5BnwKFysz45aWD' +
  'OkbchZfFtPGpo/yx220hJv8D5M8w2HegSDMqVaBoswRo+C62XUSX023L+vxvaQ67QV9DDenWP0aNi4U1RoIOLL/HYKUMTknpISX5IOXaDZMqiPOsYYH21f9W' +
  'RHaNT5RJxknXPHJD9BmRQxjTOJtaHSjLbaGjgPsHXDZqwUqOg1omhzR4RV/x01xZfEUACzAfkDYKR1h2Z/gK2qEDEz7YmzbFJ3M1mHqPugfylJCPX+Ark5dt' +
  'lfzTQ9i3BfsGpZD2o20bjIZD1n2Lb/ROYIReCYrXoHKKCyiF5O19ACwUKHXkXeO+uFUv9Ui8o4hHXs0A/PjhTq7cwyfn6nrA9Zw+hu66uaWrrHMGa9QwAA3a' +
  'OGoh31yg4K4PB10dt14yiSi/jAAlu+1wEZ+TzEObTWyMDevKHVzFbsDeMkDptlJjoM3z/jcxYRcp0fb4WW5R6lyjZy41lnHrEGiC548RMHyk7sR3KZcb+i7x' +
  'jvbbkAvwCY0cP0VybRf4TpkAdzdg/Scgn53cr0nZfYfYordgCA5KEgMxVOCFElwN0bzFLivnM7Jo+zeTXrYCoxwmXUR/qyRf5DCKXLJlp5RsU2w+opZbsuU1' +
  'BuMHHEJn0AtFA+VRPSoiOpQ67FHh8YhhueSVRqhDuNG0NLuHdODem4x+UciLsY4nsigHZ7Gnkc41umVR+sb58LEIM/21PEQADbgL3++yuYjH+N+RbPJGPTVX' +
  'B/DZhzbuONhQbAVSrfsW8yUQMtv1uXDzzinKR0kv1NRPXZq2tJ0rv+7SK1qSnt73DYbf3tSLCPatls3R9Wv/ZYelqAE2HWtrxp3jxIvHHBrEP0PEAIGVfhc6' +
  'WclEHLx/dUGprQSf/d/0Qv9AJ+g17BrUa42k9AxNRqJ5MMy3HK0wfAdfQhiyqv8A2pGnsoGQVXzQh+gkUpopfZ/DnhFY934E/UkDAu3mwpOua2+ecViT6Roj' +
  'hBAMEiLRlnBeKRfWxkRvw6WwylOOoRdf7djm+0NRqD3ysmlTVHe4IutW0WfX+VoAEQv6c84367feU75//5AzsoFaI2IsTyT/z2DsPI1k6YwfL5Wbi0vsvguh' +
  'C1E94/g0X7kBWWgIi21qGWMAAAB+QZoILYgl/xImAeojVqsgSpK1q4kW4aotZXBCWbRG6i6a6hhNbvzRMEAFvyCSB911ooYj4VzcwIlXDFwe4VHuwm5s3zFV' +
  '7NVEDxvdnylK2x4H+w1aq6w5TO/acaowS7+/JHDs04HdmtTm7UBO460/Q7MbRd0QaPQcX/ZI5zQUAAAAlUGaEEvwIGTKYQS/AADbDBYAbYALQUXS7O7w4MHl' +
  'INh4BMqsSzS5WyYTCc2pS0fURd2Xm1ybdbfOU3mMT6/JVO4erB1N6k6eMsy4C1kznrIhb8RlF23F2TrBoOV/4CeOuuSAlYaux8+6fQztbxX6IjHVYhVr1ufM' +
  'gmZoT3XvNJDoli3tXWrJc1oCZ2zxb3PAb0h1H8vjAAAAiEGaGGk8CB5MpgQS/wAA2wwV94AA3lbquEVYr3vhU3e5Dd5UoNPGTITzwV+6xkcqSJDjVvUqraXL' +
  '2xcOVnn4KTv1nBj//6UA+vnbmDUifeLD6s8IeUi4EtdWCy5ETYVUt3xvH0yPr9kJBc8QJNNiUgfGbmmSC9jX+mbViiUoR2BqQOxZr+yRd3AAAACLQZogiXwI' +
  'H5MpgEEvAADbDBXxWAByvoIKUZGk2Apm+6kLxmhDRJ56xadu2Xo7nd/Hz9a6z6cncUqqvEXVnVbO/4523heYudzmeah+i0b2532xUX7MvKl9fz9B6KdJqxtR' +
  'ISnSg3BWDY9hnPy5FMBce9sNhFPg4GXRkqFfwAg8T9pxbDlLaAA8693WqwAAAKlBmiipvAgf5MpgBBL/AAUHc+HCAEdJRTnRseohdkhgYI+uBft8L/e6Z5Td' +
  'MBWSARHdKM2w5SdrDa5r2LaMQWX4J2Xv4w26oHEKpPFPYukAFP+6xSAcYi1O0lVxkqauwy0ZP8lTmpm+ZRQVBifN4AAD4437fBZuoQAkqWXcCYYuPqZnDA5N' +
  '9rsz3i1rjuLEyetvz4tH7sh6cVDBycQGhEBZCmQzdXoaIsNLAAAA/kGaMSn8CB/5MpgAQ/8AC7EM9QAW9tPpQ3Jj1NOETbtzWOGtk0OXWVF52OmQnB9F31g6' +
  'BXvxZeaPd7umqvQgMFyGlmsQIN/0BE+d6V3RlJMq15cDQX5KZUNBsJsbvVOno6kn+RCACvhCiKQypd43CzWSek75ZnU8QJoslyCPSZYm+dCwD3+3EKac0VwJ' +
  'JcKhR5Jkgb0BSAfLKMUg+MERRZ6O9AITeYFun622nYurIgxzplmhy9iXTvmQ/ugazI+wNYKKOYBX1In+2EgQuur4bMJcI2/FcPq8LKQ9LR1t67iOEBd1v+kj' +
  'd891powlKPWRjRi1hJySjgF7p6H3rB2BAAAAOkGeOOTRBD8e3HdHhDqXUq6ygOAFPGoaVJ1kMboBDh8LdjfCkgUADw+wJ/M16r92PLgv7Ch3smoWJCEAAAAY' +
  'AZ5AxMiH/yGHTVdDqh6BZOCpxcGG+85UAAAAEAGeQQzyH/8KS77J6EPc+Eg=',
  'base64',
);

/** The bytes of one file on the simulated SD card. */
export function mediaFileBytes(fileType: number, dirNum: number, mediaNum: number): Buffer {
  return fileType === 1 ? videoBytes(dirNum, mediaNum) : photoBytes(dirNum, mediaNum);
}

function photoBytes(dirNum: number, mediaNum: number): Buffer {
  const small = thumbnailJpeg(dirNum, mediaNum);
  const target = 40_000 + ((dirNum * 7919 + mediaNum * 104_729) % 30_000);
  const segments: Buffer[] = [];
  let seed = (dirNum * 65_537 + mediaNum) >>> 0 || 1;
  for (let size = small.length; size < target; ) {
    const length = Math.min(65_000, target - size);
    const segment = Buffer.alloc(length + 4);
    segment.writeUInt16BE(0xfffe, 0); // COM: any bytes, skipped by every decoder
    segment.writeUInt16BE(length + 2, 2);
    for (let i = 4; i < segment.length; i++) {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      segment[i] = seed >>> 24;
    }
    segments.push(segment);
    size += segment.length;
  }
  // After SOI, before the rest: the markers stay in order.
  return Buffer.concat([small.subarray(0, 2), ...segments, small.subarray(2)]);
}

function videoBytes(dirNum: number, mediaNum: number): Buffer {
  // A top-level `free` box after the movie: players skip it; it makes each video's bytes its own.
  const tag = Buffer.from(`camflow-sim video ${dirNum}/${mediaNum}`, 'latin1');
  const box = Buffer.alloc(8);
  box.writeUInt32BE(8 + tag.length, 0);
  box.write('free', 4, 'latin1');
  return Buffer.concat([VIDEO_MP4, box, tag]);
}
