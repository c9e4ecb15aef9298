import type { Schemas } from "../../api/client";

export type MeRead = Schemas["MeRead"];
