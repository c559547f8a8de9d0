// The user data of a node: rendered for its image's family. The launcher (launch templates) and
// `rafter userdata` both come here, so what the CLI prints is what nodes boot with.
import type { ImageFamily } from "../aws/resolved-image.js";
import { renderAl2023UserData } from "./al2023.js";
import { renderBottlerocketUserData } from "./bottlerocket.js";
import type { NodeUserDataInput } from "./input.js";

export type UserDataResult =
  { readonly ok: true; readonly userData: string } | { readonly ok: false; readonly message: string };

export function renderUserData(family: ImageFamily, input: NodeUserDataInput): UserDataResult {
  return family === "bottlerocket"
    ? renderBottlerocketUserData(input)
    : { ok: true, userData: renderAl2023UserData(input) };
}
