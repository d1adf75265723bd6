// A mini-program module written as a mini-program team would, against the types generated from the served
// OpenAPI document (issue 20): `make test` regenerates `generated/api.ts` and type-checks this file with
// `tsc --strict`. If the document stops describing what the code really takes, this stops compiling.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api";

type Problem = components["schemas"]["ProblemDetails"];

export function connect(baseUrl: string, token?: string) {
  return createClient<paths>({
    baseUrl,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
}

// 登录：wx.login() 的 code 换访问令牌（居民身份为默认，不必填 mode）
export async function signIn(baseUrl: string, code: string): Promise<string> {
  const { data, error } = await connect(baseUrl).POST("/v1/auth/session", { body: { code } });
  if (error) throw new Error((error as Problem).title);
  return data.access_token;
}

// 我的网格：服务清单与值班联系人
export async function myGridBoard(api: ReturnType<typeof connect>, grid: string) {
  const { data, error } = await api.GET("/v1/areas/{code}/board", { params: { path: { code: grid } } });
  if (error) throw new Error((error as Problem).detail);
  return data;
}

// 提交诉求：只填必填项（代登记的当事人等选填项不填）
export async function submitTicket(api: ReturnType<typeof connect>, grid: string, text: string) {
  const { data, error } = await api.POST("/v1/tickets", {
    params: { header: { "Idempotency-Key": `ticket-${grid}-${text.length}` } },
    body: { channel: "mini_program", grid, category: "consultation", text },
  });
  if (error) throw new Error((error as Problem).detail);
  return data.code;
}

// 受理一个工单：带上读到的版本（If-Match），版本已变化时服务器答 409/412
export async function acceptTicket(api: ReturnType<typeof connect>, code: string) {
  const read = await api.GET("/v1/tickets/{code}", { params: { path: { code } } });
  if (read.error) throw new Error((read.error as Problem).detail);
  const { data, error } = await api.POST("/v1/tickets/{code}/accept", {
    params: { path: { code }, header: { "If-Match": `"${read.data.version}"` } },
    body: {},
  });
  if (error) throw new Error((error as Problem).detail);
  return data.status;
}

// 我的诉求：按 next_cursor 一页页取完
export async function allMyTickets(api: ReturnType<typeof connect>) {
  const codes: string[] = [];
  let cursor: string | undefined;
  do {
    const { data, error } = await api.GET("/v1/tickets/mine", { params: { query: { limit: 50, cursor } } });
    if (error) throw new Error((error as Problem).detail);
    codes.push(...data.items.map((item) => item.code));
    cursor = data.next_cursor ?? undefined;
  } while (cursor);
  return codes;
}
