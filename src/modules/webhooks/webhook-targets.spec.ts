import { TargetPolicy } from './webhook-targets';

describe(TargetPolicy.name, () => {
  const sut = new TargetPolicy([]);

  it.each([
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '127.0.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.251',
    '255.255.255.255',
    '::',
    '::1',
    'fe80::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::127.0.0.1',
    '64:ff9b::a00:1',
    '2002:a00:1::',
    '2001:db8::1',
  ])('refuses the internal address %s', (address) => {
    expect(sut.permits(address)).toBe(false);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    'permits the public address %s',
    (address) => {
      expect(sut.permits(address)).toBe(true);
    },
  );

  it('permits only the configured ranges of internal addresses', () => {
    const loopback = new TargetPolicy(['127.0.0.1/32']);
    expect(loopback.permits('127.0.0.1')).toBe(true);
    expect(loopback.permits('::ffff:127.0.0.1')).toBe(true);
    expect(loopback.permits('127.0.0.2')).toBe(false);
    expect(loopback.permits('169.254.169.254')).toBe(false);
    expect(new TargetPolicy(['all']).permits('10.0.0.1')).toBe(true);
  });

  it('refuses what is not an IP address', () => {
    expect(sut.permits('localhost')).toBe(false);
  });
});
