import { aliyunRootPrincipal, awsPartitionOfRegion, awsPrincipalForPartition, CloudProvider, Parsed, refused, tencentRootPrincipal } from '../cloud-identifiers';
import { TetherConfig } from '../config/load-config';

/**
 * The platform principal a customer's role must trust, as it stands in the trust policy. AWS
 * partitions do not trust each other, so the AWS principal is the one of the region's partition.
 */
export function platformPrincipal(principals: TetherConfig['principals'], provider: CloudProvider, region: string): Parsed<string> {
  switch (provider) {
    case 'aws': {
      const partition = awsPartitionOfRegion(region);
      if (!partition) return refused(`"${region}" is not a region of a supported AWS partition.`);
      return awsPrincipalForPartition(principals.aws, partition);
    }
    case 'aliyun':
      return principals.aliyunAccountId
        ? aliyunRootPrincipal(principals.aliyunAccountId)
        : refused('Tether has no Alibaba Cloud platform account: the operator must set TETHER_ALIYUN_ACCOUNT_ID before Alibaba Cloud roles can be assumed.');
    case 'tencent':
      return principals.tencentUin
        ? tencentRootPrincipal(principals.tencentUin)
        : refused('Tether has no Tencent Cloud platform account: the operator must set TETHER_TENCENT_UIN before Tencent Cloud roles can be assumed.');
  }
}
