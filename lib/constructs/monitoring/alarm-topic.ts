import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** e.g. `appapi-prod`: the topic is `<namePrefix>-alarms`. */
  readonly namePrefix: string;
  /**
   * Subscribed by e-mail; the recipient confirms the subscription once.
   * @default - no subscription
   */
  readonly email?: string;
  /** @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Where an environment's alarms go: an SNS topic, encrypted with a key of its own (the AWS-managed
 * SNS key does not let CloudWatch publish), accepting TLS only.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const key = new kms.Key(this, 'Key', {
      description: `Encrypts the alarm notifications of ${props.namePrefix}`,
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch encrypts what it publishes with the topic's key
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'Resource', {
      topicName: `${props.namePrefix}-alarms`,
      displayName: `App APIs ${props.namePrefix} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    this.topic.applyRemovalPolicy(removalPolicy);
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }
}
