// Drives every /app_installs/ route and status of the emulator (for the conformance session).

import assert from "node:assert/strict";
import { applicationBody, type Emulator, emulatorFetch } from "./emulator";

export async function exerciseAppInstalls(e: Emulator): Promise<void> {
  const call = (method: string, p: string, body?: unknown) => emulatorFetch(e, method, p, body);
  const expect = async (status: number, pending: Promise<{ status: number; body: any }>) => {
    const r = await pending;
    assert.equal(r.status, status, `${status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const [d1, d2] = e.deviceIds;
  const app = await expect(
    201,
    call(
      "POST",
      "/applications/",
      applicationBody(e, "installed_app", {
        type: "DEV",
        allow_many: true,
        config_schema: { type: "object", properties: { n: { type: "integer", default: 1 } } },
      }),
    ),
  );
  const body = {
    application_id: app.id,
    device_id: d1,
    display_name: "Pump 1",
    name: "pump_1",
    deployment_config: { n: 2 },
  };
  const i = await expect(201, call("POST", "/app_installs/", body));
  await expect(201, call("POST", "/app_installs/", { ...body, device_id: d2, version: "1.0.0" }));
  await expect(400, call("POST", "/app_installs/", { display_name: "" }));
  await expect(400, call("POST", "/app_installs/", { ...body, name: "x", config_profile_ids: ["5"] }));
  // config profiles of the application, and an install that takes two of them
  const profiles = `/applications/${app.id}/config_profiles`;
  const pa = await expect(
    201,
    call("POST", `${profiles}/`, {
      application_id: app.id,
      display_name: "Fast",
      description: "Fast polling",
      deployment_config: { n: 5 },
    }),
  );
  const pb = await expect(201, call("POST", `${profiles}/`, { application_id: app.id, display_name: "Slow" }));
  await expect(400, call("POST", `${profiles}/`, { application_id: app.id, display_name: "" }));
  await expect(404, call("POST", "/applications/1/config_profiles/", { application_id: "1", display_name: "X" }));
  await expect(200, call("GET", `${profiles}/?per_page=1&ordering=-display_name&search=s`));
  await expect(404, call("GET", "/applications/1/config_profiles/"));
  await expect(200, call("GET", `${profiles}/${pa.id}/`));
  await expect(404, call("GET", `${profiles}/1/`));
  await expect(200, call("PUT", `${profiles}/${pb.id}/`, { application_id: app.id, display_name: "Slower" }));
  await expect(200, call("PATCH", `${profiles}/${pb.id}/`, { deployment_config: { n: 0 } }));
  await expect(400, call("PATCH", `${profiles}/${pb.id}/`, { deployment_config: [1] }));
  const withProfiles = { ...body, name: "profiled", config_profile_ids: [pa.id, pb.id] };
  const ip = await expect(201, call("POST", "/app_installs/", withProfiles));
  await expect(200, call("GET", `/app_installs/?name=profiled`));
  await expect(200, call("PATCH", `/app_installs/${ip.id}/`, { config_profile_ids: [pb.id] }));
  // doover-cli's sync-config-profiles: the whole install back, profiles replaced (flat and application-scoped)
  const synced = { ...withProfiles, config_profile_ids: [pa.id] };
  await expect(200, call("POST", `/app_installs/${ip.id}/sync_config_profiles/`, synced));
  await expect(200, call("POST", `/applications/${app.id}/installs/${ip.id}/sync_config_profiles/`, synced));
  await expect(400, call("POST", `/app_installs/${ip.id}/sync_config_profiles/`, {}));
  await expect(404, call("POST", "/app_installs/1/sync_config_profiles/", synced));
  await expect(204, call("DELETE", `${profiles}/${pb.id}/`));
  await expect(404, call("DELETE", `${profiles}/${pb.id}/`));
  await expect(200, call("GET", `/app_installs/${ip.id}/`));
  await expect(204, call("DELETE", `/app_installs/${ip.id}/`));
  await expect(409, call("POST", "/app_installs/", body));
  await expect(200, call("GET", "/app_installs/?per_page=1"));
  await expect(200, call("GET", `/app_installs/?device=${d1}&archived=false&status=QUE`));
  await expect(400, call("GET", "/app_installs/?status=BAD"));
  await expect(200, call("GET", `/devices/${d1}/app_installs/`));
  await expect(404, call("GET", "/devices/1/app_installs/"));
  await expect(200, call("GET", `/applications/${app.id}/installs/?name=pump_1`));
  await expect(404, call("GET", "/applications/1/installs/"));
  await expect(200, call("GET", `/app_installs/${i.id}/`));
  await expect(404, call("GET", "/app_installs/1/"));
  await expect(200, call("PUT", `/app_installs/${i.id}/`, { ...body, display_name: "Pump One" }));
  await expect(200, call("PATCH", `/app_installs/${i.id}/`, { deployment_config: { n: 3 }, version: null }));
  await expect(400, call("PATCH", `/app_installs/${i.id}/`, { device_id: d2 }));
  // deployments: one that succeeds at once, one that fails, one still queued
  e.addFault({ path: `/app_installs/${i.id}/`, deployment: { stepMs: 0 } });
  const ok = await expect(201, call("POST", `/app_installs/${i.id}/deployments/`, {}));
  e.addFault({ path: `/app_installs/${i.id}/`, deployment: { status: "FAI", log: "E: boom", stepMs: 0 } });
  await expect(201, call("POST", `/app_installs/${i.id}/deployments/`));
  e.addFault({ path: `/app_installs/${i.id}/`, deployment: { status: "CAN", stepMs: 0 } });
  await expect(201, call("POST", `/app_installs/${i.id}/deployments/`));
  e.addFault({ path: `/app_installs/${i.id}/`, deployment: { stepMs: 60_000 } });
  await expect(201, call("POST", `/app_installs/${i.id}/deployments/`));
  await expect(200, call("GET", `/app_installs/${i.id}/deployments/?per_page=2&ordering=created_at`));
  await expect(200, call("GET", `/app_installs/${i.id}/deployments/${ok.id}/`));
  await expect(404, call("GET", `/app_installs/${i.id}/deployments/1/`));
  await expect(404, call("POST", "/app_installs/1/deployments/"));
  await expect(200, call("GET", `/app_installs/${i.id}/`));
  await expect(200, call("POST", `/app_installs/${i.id}/archive/`));
  await expect(400, call("POST", `/app_installs/${i.id}/deployments/`));
  await expect(200, call("GET", "/app_installs/?archived=true"));
  await expect(200, call("POST", `/app_installs/${i.id}/unarchive/`));
  await expect(404, call("POST", "/app_installs/1/archive/"));
  await expect(204, call("DELETE", `/app_installs/${i.id}/`));
  await expect(404, call("DELETE", `/app_installs/${i.id}/`));
}
