#!/usr/bin/env node
// The official-SDK side of bench/command.mjs: a short script that loads @alicloud/openapi-core
// (its default V3 signatures) and makes the same DescribeInstance call as `vn instance describe`,
// printing the answer as JSON. Usage: node bench/sdk-describe.mjs URL ACCESS_KEY_ID SECRET INSTANCE_ID
import OpenApi, { $OpenApiUtil } from '@alicloud/openapi-core';
import { RuntimeOptions } from '@darabonba/typescript';

const [url, accessKeyId, accessKeySecret, instanceId] = process.argv.slice(2);
const { host, protocol } = new URL(url);
const client = new OpenApi.default(new $OpenApiUtil.Config({ accessKeyId, accessKeySecret, endpoint: host, protocol: protocol.slice(0, -1) }));
const params = new $OpenApiUtil.Params({
  action: 'DescribeInstance',
  version: '2018-06-12',
  protocol: 'HTTP',
  pathname: '/',
  method: 'GET',
  authType: 'AK',
  style: 'RPC',
  reqBodyType: 'formData',
  bodyType: 'json',
});
const res = await client.callApi(params, new $OpenApiUtil.OpenApiRequest({ query: { InstanceId: instanceId } }), new RuntimeOptions({}));
process.stdout.write(`${JSON.stringify(res.body, null, 2)}\n`);
