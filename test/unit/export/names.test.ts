// Compose names -> Kubernetes names (DNS labels), unique, with a warning when a service's address changes.
import { describe, expect, it } from 'vitest';
import { dnsLabel, isLabelKey, isLabelValue, labelValue, NameTable } from '../../../src/export/kubernetes/names.js';
import { Warnings } from '../../../src/export/kubernetes/warnings.js';
import { serviceFixture } from '../../support/fixtures.js';
import { find, projectOf, run } from './support.js';

describe('dnsLabel', () => {
  it.each([
    ['web', 'web'],
    ['My_Service.v2', 'my-service-v2'],
    ['__db__', 'db'],
    ['1st', 'c-1st'],
    ['a'.repeat(70), 'a'.repeat(63)],
    [`${'a'.repeat(62)}-b`, 'a'.repeat(62)],
  ])('%s -> %s', (raw, name) => {
    expect(dnsLabel(raw)).toBe(name);
  });
});

describe('NameTable', () => {
  it('gives colliding compose names distinct names, in the order asked', () => {
    const t = new NameTable('services');
    expect(['web-1', 'web_1', 'web.1'].map((n) => t.assign(n))).toEqual(['web-1', 'web-1-2', 'web-1-3']);
    expect(t.get('web_1')).toBe('web-1-2');
  });

  it('warns when a name changes, since other services address it by that name', () => {
    const w = new Warnings();
    new NameTable('services').assign('my_db', w);
    expect(w.sorted()).toEqual([{ path: 'services.my_db', message: 'named my-db in Kubernetes (names allow only a-z, 0-9 and "-"); other services reach it as my-db' }]);
  });

  it('caps service names at 52 characters, leaving room for a StatefulSet revision hash', () => {
    const r = run(projectOf([serviceFixture('s'.repeat(60), { expose: ['80'] })]));
    expect(find(r, 'Service', 's'.repeat(52)).metadata?.name).toHaveLength(52);
  });
});

describe('labels', () => {
  it('tells valid label keys and values apart', () => {
    expect(isLabelKey('com.example.team')).toBe(true);
    expect(isLabelKey('app.kubernetes.io/name')).toBe(true);
    expect(isLabelKey('Bad Key')).toBe(false);
    expect(isLabelKey('UPPER.example/x')).toBe(false);
    expect(isLabelValue('')).toBe(true);
    expect(isLabelValue('v1.2_x')).toBe(true);
    expect(isLabelValue('Host(`x`)')).toBe(false);
    expect(isLabelValue('x'.repeat(64))).toBe(false);
  });

  it('labelValue keeps project names labels can hold', () => {
    expect(labelValue('data_pipeline')).toBe('data_pipeline');
    expect(labelValue('-my app-')).toBe('my-app');
  });
});
