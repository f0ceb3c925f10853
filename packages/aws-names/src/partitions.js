/** @typedef {'aws' | 'aws-us-gov' | 'aws-cn'} Partition */

/**
 * The partitions Rolegate serves: commercial, GovCloud (US) and China.
 * @type {readonly Partition[]}
 */
export const PARTITIONS = Object.freeze(/** @type {const} */ (['aws', 'aws-us-gov', 'aws-cn']));

/**
 * True when `value` names one of PARTITIONS (exactly: "AWS" is not a partition).
 * @param {string} value
 * @returns {value is Partition}
 */
export function isPartition(value) {
  return /** @type {readonly string[]} */ (PARTITIONS).includes(value);
}

/**
 * The partition a region belongs to (us-gov-* → aws-us-gov, cn-* → aws-cn, else aws).
 * @param {string} region
 * @returns {Partition}
 */
export function partitionOfRegion(region) {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}
