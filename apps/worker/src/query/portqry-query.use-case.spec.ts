import { querySteps } from './portqry-query.use-case.js';

describe('querySteps', () => {
  it("orders a group's ports as PortQry queries them: ascending, TCP before UDP", () => {
    expect(
      querySteps({
        tcp: [
          [135, 135],
          [389, 389],
          [53, 53],
        ],
        udp: [
          [53, 53],
          [137, 138],
        ],
      }),
    ).toEqual([
      { proto: 'tcp', port: 53 },
      { proto: 'udp', port: 53 },
      { proto: 'tcp', port: 135 },
      { proto: 'udp', port: 137 },
      { proto: 'udp', port: 138 },
      { proto: 'tcp', port: 389 },
    ]);
  });
});
