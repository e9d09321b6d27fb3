import { PageOf } from '../../../common/pagination';

export class OrganizationDto {
  id: string;
  name: string;
  isWorkforce: boolean;
  /** Email domains whose verified users join automatically. */
  domains: string[];
  createdAt: string;
}

export class OrganizationPage extends PageOf(OrganizationDto) {}
