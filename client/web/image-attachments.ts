/**
 * Turns a pasted or picked image into what a prompt intent carries ({mimeType, data: base64}) within
 * the protocol's limits: PNG, JPEG, GIF or WebP up to 2 MiB of base64 as they are; anything larger or
 * of another type (a phone's HEIC photo) re-encoded as JPEG, scaled down until it fits.
 */
import { MAX_IMAGE_BASE64_CHARS, PROMPT_IMAGE_TYPES, type PromptImage } from '../../protocol/messages.js';

/** Longest side of a re-encoded image, at first. */
const FIRST_MAX_SIDE = 2048;
const JPEG_QUALITY = 0.85;

const base64Length = (bytes: number): number => 4 * Math.ceil(bytes / 3);

function isPromptType(type: string): type is PromptImage['mimeType'] {
  return (PROMPT_IMAGE_TYPES as readonly string[]).includes(type);
}

function readAsBase64(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('cannot read the image'));
    reader.readAsDataURL(blob);
  });
}

function toJpeg(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('cannot encode the image'))), 'image/jpeg', JPEG_QUALITY);
  });
}

/** Reads `file` as a prompt image; rejects with a message for the user. */
export async function readPromptImage(file: Blob): Promise<PromptImage> {
  if (isPromptType(file.type) && base64Length(file.size) <= MAX_IMAGE_BASE64_CHARS) {
    return { mimeType: file.type, data: await readAsBase64(file) };
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch (err) {
    throw new Error('This image cannot be read by the browser.', { cause: err });
  }
  try {
    let side = FIRST_MAX_SIDE;
    while (side >= 64) {
      const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const blob = await toJpeg(canvas);
      if (base64Length(blob.size) <= MAX_IMAGE_BASE64_CHARS) return { mimeType: 'image/jpeg', data: await readAsBase64(blob) };
      side = Math.floor(side * 0.7);
    }
  } finally {
    bitmap.close();
  }
  throw new Error('This image is too large to send.');
}
