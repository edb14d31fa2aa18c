// /devices/{id}/installer/… : what a device's type offers to install it (doover-cli's `doover device installer*`).
// The emulator makes a small shell script naming the device; `info/` describes it, `installer/` is the script as
// text, `download/` the same bytes as a file, `tarball/` and `zip/` the script in an archive. A type whose
// `install_type` is NONE has no installer (404), and one that is COPY_COMMAND offers the script only.

import * as zlib from "node:zlib";
import { gzipSync } from "node:zlib";
import type { Handler, RequestContext } from "./context";
import { findDeviceType } from "./device-types";
import { notFound } from "./errors";
import type { DeviceRecord, DeviceTypeRecord } from "./types";

function deviceAndType(ctx: RequestContext): { d: DeviceRecord; t: DeviceTypeRecord | undefined } {
  const d = ctx.store.data.devices.find((x) => x.id === ctx.params.id);
  if (!d) throw notFound("No Device matches the given query.");
  return { d, t: findDeviceType(ctx.store, d.type_id) };
}

const installType = (t: DeviceTypeRecord | undefined) => String(t?.fields.install_type ?? "NONE");

function script(d: DeviceRecord, t: DeviceTypeRecord | undefined): Buffer {
  return Buffer.from(
    [
      "#!/bin/sh",
      `# Doover installer for device ${d.display_name} (${d.name}, id ${d.id}), type ${String(t?.fields.name ?? "?")}`,
      "# Made by the pulumi-doover emulator: it installs nothing.",
      "set -eu",
      `DOOVER_DEVICE_ID=${d.id}`,
      'echo "Would install the Doover agent for device $DOOVER_DEVICE_ID"',
      "",
    ].join("\n"),
  );
}

/** The script, or 404 when the type does not offer it in this form. */
function offered(ctx: RequestContext, forms: string[], what: string): { d: DeviceRecord; body: Buffer } {
  const { d, t } = deviceAndType(ctx);
  if (!forms.includes(installType(t)))
    throw notFound(`Device type "${String(t?.fields.name ?? "")}" has no ${what} (install_type ${installType(t)}).`);
  return { d, body: script(d, t) };
}

/** The copy command fetches the script; the package forms download it. */
const packaged = (ctx: RequestContext) => offered(ctx, ["INSTALL_PACKAGE", "BOTH"], "installer package");

const raw = (contentType: string, data: Buffer) => ({ status: 200, raw: { contentType, data } });

export const installerInfo: Handler = (ctx) => {
  const { d, t } = deviceAndType(ctx);
  const type = installType(t);
  const base = `${ctx.baseUrl}/devices/${d.id}/installer/`;
  const copy =
    type === "COPY_COMMAND" || type === "BOTH"
      ? String(t?.fields.copy_command ?? "")
          .replaceAll("{installer_url}", base)
          .replaceAll("{device_id}", d.id)
      : null;
  return {
    status: 200,
    body: {
      title: `Install ${String(t?.fields.name ?? "the device")} on ${d.display_name}`,
      description: String(t?.fields.installer_info ?? ""),
      copy,
      install_package_url: type === "INSTALL_PACKAGE" || type === "BOTH" ? `${base}download/` : null,
      install_type: type,
      panel_type: type === "NONE" ? "none" : "installer",
    },
  };
};

export const installerScript: Handler = (ctx) =>
  raw("text/plain; charset=utf-8", offered(ctx, ["COPY_COMMAND", "INSTALL_PACKAGE", "BOTH"], "installer").body);
export const installerDownload: Handler = (ctx) => raw("application/octet-stream", packaged(ctx).body);
export const installerTarball: Handler = (ctx) =>
  raw("application/gzip", gzipSync(tar("doover-installer/install.sh", packaged(ctx).body)));
export const installerZip: Handler = (ctx) => raw("application/zip", zip("install.sh", packaged(ctx).body));

/** A ustar archive of one executable file. */
function tar(name: string, data: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const put = (s: string, at: number, len: number) => header.write(s.slice(0, len), at, len, "utf8");
  const octal = (n: number, len: number) => n.toString(8).padStart(len - 1, "0");
  put(name, 0, 100);
  put(octal(0o755, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(data.length, 12), 124, 12);
  put(octal(0, 12), 136, 12);
  header.fill(" ", 148, 156); // checksum field counts as spaces
  put("0", 156, 1);
  put("ustar\u000000", 257, 8);
  let sum = 0;
  for (const b of header) sum += b;
  put(`${octal(sum, 7)}\u0000`, 148, 8);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([header, data, pad, Buffer.alloc(1024)]);
}

/** A zip of one stored file. */
function zip(name: string, data: Buffer): Buffer {
  const nameBuf = Buffer.from(name);
  const crc = zlib.crc32(data) >>> 0;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(0, 8); // stored
  local.writeUInt16LE(33, 12); // 1980-01-01
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE((3 << 8) | 20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(33, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBuf.length, 28);
  central.writeUInt32LE((0o100755 << 16) >>> 0, 38);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBuf.length, 12);
  end.writeUInt32LE(local.length + nameBuf.length + data.length, 16);
  return Buffer.concat([local, nameBuf, data, central, nameBuf, end]);
}
